// Buffered standard output: records are formatted into one big string and
// written in large chunks. A failed write (e.g. a closed pipe) stops the
// output for good, as upstream neolog exits on EPIPE.
// Threads: buffer()/maybe_flush()/flush() from one thread at a time (the
// formatting thread while a RecordPipeline runs); failed() from any.
#pragma once

#include <atomic>
#include <functional>
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
  bool failed() const { return failed_.load(std::memory_order_relaxed); }

  // Flush everything written so far, records still in a RecordPipeline
  // included (its hook waits for them); before messages on stderr.
  bool sync() {
    if (sync_hook_) sync_hook_();
    return flush();
  }
  void set_sync_hook(std::function<void()> hook) { sync_hook_ = std::move(hook); }

 private:
  static constexpr std::size_t kChunk = 1 << 16;

  std::ostream& os_;
  std::string buf_;
  std::atomic<bool> failed_ = false;
  std::function<void()> sync_hook_;
};

}  // namespace neo::neolog
