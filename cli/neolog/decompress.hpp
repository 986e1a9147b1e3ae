// Compressed logs: a file named *.gz, *.bz2, *.xz or *.zst is decompressed
// in-process (zlib, libbz2, liblzma, libzstd) into a temporary file that
// SQLite then opens. The temporary file is unlinked as soon as it is open,
// and by the SIGINT/SIGTERM/SIGHUP handler if the process is interrupted
// while decompressing, so none is ever left behind.
#pragma once

#include <csignal>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace neo::neolog {

enum class Compression { None, Gzip, Bzip2, Xz, Zstd };

// From the last extension of the file name (as upstream: exact, lower case).
Compression compression_of(std::string_view path);
std::string_view compression_name(Compression c);

struct DecompressStatus {
  bool complete = false;     // the whole input was a valid compressed stream
  std::string error;         // why not, if !complete
  std::uint64_t output = 0;  // bytes written
};

// Decompresses everything readable from `in_fd` to `out_fd`; on bad or
// truncated input, what could be decompressed before is still written.
DecompressStatus decompress_fd(Compression c, int in_fd, int out_fd);
// The same, in memory (tests).
DecompressStatus decompress_buffer(Compression c, std::string_view in, std::string& out);

// A temporary file in $TMPDIR (or /tmp), removed by the destructor, by
// unlink_now(), or by the signal handler.
class TempFile {
 public:
  TempFile();  // check ok()
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& error() const { return error_; }
  void unlink_now();

 private:
  int fd_ = -1;
  int slot_ = -1;
  std::string path_;
  std::string error_;
};

// While alive, SIGINT, SIGTERM and SIGHUP remove pending temporary files,
// then kill the process as their default action would, except SIGINT when
// `graceful` (follow mode, as upstream): status 0, after setting
// stop_flag() if it came during set_sleeping(true), else at once (the
// process may be blocked writing to a full pipe). The previous handlers are
// restored by the destructor.
class SignalScope {
 public:
  explicit SignalScope(bool graceful);
  ~SignalScope();
  SignalScope(const SignalScope&) = delete;
  SignalScope& operator=(const SignalScope&) = delete;
};
// Non-zero once a graceful stop was asked.
volatile std::sig_atomic_t* stop_flag();
// Follow mode: true while waiting between passes.
void set_sleeping(bool sleeping);

}  // namespace neo::neolog
