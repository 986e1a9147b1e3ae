// Buffered standard output: records are formatted into one big string and
// written in large chunks. A failed write (e.g. a closed pipe) stops the
// output for good, as upstream neolog exits on EPIPE.
#pragma once

#include <ostream>
#include <string>

namespace neo::neolog {

class Output {
 public:
  explicit Output(std::ostream& os) : os_(os) { buf_.reserve(kChunk + 4096); }
  ~Output() { flush(); }

  // Append to this, then call maybe_flush().
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kChunk) flush();
  }
  // False if a write failed (now or before).
  bool flush();
  bool failed() const { return failed_; }

 private:
  static constexpr std::size_t kChunk = 1 << 16;

  std::ostream& os_;
  std::string buf_;
  bool failed_ = false;
};

}  // namespace neo::neolog
