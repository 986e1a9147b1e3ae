#include "cli/neolog/decompress.hpp"

#include <bzlib.h>
#include <fcntl.h>
#include <lzma.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace neo::neolog {
namespace {

constexpr std::size_t kChunk = 1 << 18;

// Input in chunks, output through a callback; each decoder is a loop over
// both, keeping what it decompressed before an error.
struct Io {
  virtual ~Io() = default;
  // Bytes read into buf (0 at the end, -1 on error, see error).
  virtual long read(char* buf, std::size_t cap) = 0;
  virtual bool write(const char* data, std::size_t n) = 0;
  std::string error;
};

struct FdIo : Io {
  int in, out;
  FdIo(int i, int o) : in(i), out(o) {}
  long read(char* buf, std::size_t cap) override {
    for (;;) {
      const ssize_t n = ::read(in, buf, cap);
      if (n >= 0) return n;
      if (errno != EINTR) {
        error = std::string("read error: ") + std::strerror(errno);
        return -1;
      }
    }
  }
  bool write(const char* data, std::size_t n) override {
    while (n > 0) {
      const ssize_t w = ::write(out, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error = std::string("cannot write the temporary file: ") + std::strerror(errno);
        return false;
      }
      data += w;
      n -= static_cast<std::size_t>(w);
    }
    return true;
  }
};

struct BufferIo : Io {
  std::string_view in;
  std::string& out;
  BufferIo(std::string_view i, std::string& o) : in(i), out(o) {}
  long read(char* buf, std::size_t cap) override {
    const std::size_t n = std::min(cap, in.size());
    std::memcpy(buf, in.data(), n);
    in.remove_prefix(n);
    return static_cast<long>(n);
  }
  bool write(const char* data, std::size_t n) override {
    out.append(data, n);
    return true;
  }
};

// The input buffer shared by the decoders: refill() when consumed.
struct Input {
  Io& io;
  std::vector<char> buf = std::vector<char>(kChunk);
  const char* next = nullptr;
  std::size_t avail = 0;
  bool eof = false, failed = false;
  explicit Input(Io& i) : io(i) {}
  void refill() {
    if (avail > 0 || eof) return;
    const long n = io.read(buf.data(), buf.size());
    if (n < 0) failed = true;
    if (n <= 0) eof = true;
    next = buf.data();
    avail = n > 0 ? static_cast<std::size_t>(n) : 0;
  }
};

DecompressStatus finish(DecompressStatus st, Io& io, std::string error) {
  st.complete = error.empty() && io.error.empty();
  st.error = !io.error.empty() ? io.error : error;
  return st;
}

DecompressStatus gunzip(Io& io) {
  DecompressStatus st;
  Input in(io);
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return finish(st, io, "zlib init failed");
  std::vector<char> out(kChunk);
  std::string error;
  int members = 0;         // complete gzip members (several may be concatenated)
  bool in_member = false;  // some bytes of the current member were given to zlib
  for (;;) {
    in.refill();
    if (in.failed) break;
    if (in.avail == 0) {
      if (in_member)
        error = "compressed data is truncated (the file was cut short)";
      else if (members == 0)
        error = "empty file, not in gzip format";
      break;
    }
    in_member = true;
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.next));
    zs.avail_in = static_cast<uInt>(in.avail);
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_NO_FLUSH);
    in.next = reinterpret_cast<const char*>(zs.next_in);
    in.avail = zs.avail_in;
    const std::size_t n = out.size() - zs.avail_out;
    if (n > 0 && !io.write(out.data(), n)) break;
    st.output += n;
    if (rc == Z_STREAM_END) {
      ++members;
      in_member = false;
      inflateReset(&zs);
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      const bool header = zs.msg && std::strcmp(zs.msg, "incorrect header check") == 0;
      error = !header        ? std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "?") + ")"
              : members == 0 ? "not in gzip format"
                             : "trailing garbage after the compressed data";
      break;
    }
  }
  inflateEnd(&zs);
  return finish(st, io, error);
}

DecompressStatus bunzip2(Io& io) {
  DecompressStatus st;
  Input in(io);
  bz_stream bs{};
  if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK) return finish(st, io, "bzip2 init failed");
  std::vector<char> out(kChunk);
  std::string error;
  int streams = 0;  // complete bzip2 streams (several may be concatenated)
  bool in_stream = false;
  for (;;) {
    in.refill();
    if (in.failed) break;
    if (in.avail == 0) {
      if (in_stream)
        error = "compressed data is truncated (the file was cut short)";
      else if (streams == 0)
        error = "empty file, not in bzip2 format";
      break;
    }
    in_stream = true;
    bs.next_in = const_cast<char*>(in.next);
    bs.avail_in = static_cast<unsigned>(in.avail);
    bs.next_out = out.data();
    bs.avail_out = static_cast<unsigned>(out.size());
    const int rc = BZ2_bzDecompress(&bs);
    in.next = bs.next_in;
    in.avail = bs.avail_in;
    const std::size_t n = out.size() - bs.avail_out;
    if (n > 0 && !io.write(out.data(), n)) break;
    st.output += n;
    if (rc == BZ_STREAM_END) {
      ++streams;
      in_stream = false;
      BZ2_bzDecompressEnd(&bs);
      bs = bz_stream{};
      BZ2_bzDecompressInit(&bs, 0, 0);
    } else if (rc != BZ_OK) {
      error = rc != BZ_DATA_ERROR_MAGIC ? "corrupt bzip2 data"
              : streams == 0            ? "not in bzip2 format"
                                        : "trailing garbage after the compressed data";
      break;
    }
  }
  BZ2_bzDecompressEnd(&bs);
  return finish(st, io, error);
}

DecompressStatus unxz(Io& io) {
  DecompressStatus st;
  Input in(io);
  lzma_stream ls = LZMA_STREAM_INIT;
  if (lzma_auto_decoder(&ls, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
    return finish(st, io, "liblzma init failed");
  }
  std::vector<char> out(kChunk);
  std::string error;
  for (;;) {
    in.refill();
    if (in.failed) break;
    ls.next_in = reinterpret_cast<const uint8_t*>(in.next);
    ls.avail_in = in.avail;
    ls.next_out = reinterpret_cast<uint8_t*>(out.data());
    ls.avail_out = out.size();
    const lzma_ret rc = lzma_code(&ls, in.eof ? LZMA_FINISH : LZMA_RUN);
    in.next = reinterpret_cast<const char*>(ls.next_in);
    in.avail = ls.avail_in;
    const std::size_t n = out.size() - ls.avail_out;
    if (n > 0 && !io.write(out.data(), n)) break;
    st.output += n;
    if (rc == LZMA_STREAM_END) break;
    if (rc == LZMA_OK) continue;
    if (rc == LZMA_BUF_ERROR) {
      error = "compressed data is truncated (the file was cut short)";
    } else if (rc == LZMA_FORMAT_ERROR) {
      error = "not in xz format";
    } else {
      error = "corrupt xz data";
    }
    break;
  }
  lzma_end(&ls);
  return finish(st, io, error);
}

DecompressStatus unzstd(Io& io) {
  DecompressStatus st;
  Input in(io);
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) return finish(st, io, "libzstd init failed");
  std::vector<char> out(kChunk);
  std::string error;
  std::size_t pending = 0;  // last hint: 0 once a frame is complete
  bool any = false;
  for (;;) {
    in.refill();
    if (in.failed) break;
    if (in.avail == 0 && pending == 0) {
      if (!any) error = "empty file, not in zstd format";
      break;
    }
    ZSTD_inBuffer ib{in.next, in.avail, 0};
    ZSTD_outBuffer ob{out.data(), out.size(), 0};
    const std::size_t rc = ZSTD_decompressStream(dctx, &ob, &ib);
    in.next += ib.pos;
    in.avail -= ib.pos;
    if (ob.pos > 0 && !io.write(out.data(), ob.pos)) break;
    st.output += ob.pos;
    if (ZSTD_isError(rc)) {
      error = ZSTD_getErrorCode(rc) == ZSTD_error_prefix_unknown && !any
                  ? std::string("not in zstd format")
                  : std::string("corrupt zstd data (") + ZSTD_getErrorName(rc) + ")";
      break;
    }
    any = true;
    pending = rc;
    if (in.avail == 0 && in.eof && ob.pos < ob.size) {
      if (pending != 0) error = "compressed data is truncated (the file was cut short)";
      break;
    }
  }
  ZSTD_freeDCtx(dctx);
  return finish(st, io, error);
}

DecompressStatus run(Compression c, Io& io) {
  switch (c) {
    case Compression::Gzip:
      return gunzip(io);
    case Compression::Bzip2:
      return bunzip2(io);
    case Compression::Xz:
      return unxz(io);
    case Compression::Zstd:
      return unzstd(io);
    case Compression::None:
      break;
  }
  DecompressStatus st;
  st.error = "not compressed";
  return st;
}

// ---- temporary files and signals ----

constexpr int kSlots = 16;
char g_paths[kSlots][4096];
volatile std::sig_atomic_t g_used[kSlots];
volatile std::sig_atomic_t g_graceful = 0;
volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_sleeping = 0;
int g_scopes = 0;
constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
struct sigaction g_previous[kSignals.size()];

void remove_temp_files() {
  for (int i = 0; i < kSlots; ++i) {
    if (g_used[i]) {
      ::unlink(g_paths[i]);
      g_used[i] = 0;
    }
  }
}

extern "C" void on_signal(int sig) {
  remove_temp_files();
  if (g_graceful && sig == SIGINT) {  // follow mode: Ctrl-C ends it, status 0
    if (g_sleeping) {
      g_stop = 1;
      return;
    }
    ::_exit(0);  // busy, maybe blocked writing to a full pipe
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

Compression compression_of(std::string_view path) {
  const auto slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return Compression::None;
  const std::string_view ext = name.substr(dot + 1);
  if (ext == "gz") return Compression::Gzip;
  if (ext == "bz2") return Compression::Bzip2;
  if (ext == "xz") return Compression::Xz;
  if (ext == "zst") return Compression::Zstd;
  return Compression::None;
}

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::Gzip:
      return "gzip";
    case Compression::Bzip2:
      return "bzip2";
    case Compression::Xz:
      return "xz";
    case Compression::Zstd:
      return "zstd";
    case Compression::None:
      break;
  }
  return "none";
}

DecompressStatus decompress_fd(Compression c, int in_fd, int out_fd) {
  FdIo io(in_fd, out_fd);
  return run(c, io);
}

DecompressStatus decompress_buffer(Compression c, std::string_view in, std::string& out) {
  BufferIo io(in, out);
  return run(c, io);
}

TempFile::TempFile() {
  const char* dir = std::getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/neolog-XXXXXX";
  if (tmpl.size() >= sizeof g_paths[0]) {
    error_ = "temporary directory path too long";
    return;
  }
  for (int i = 0; i < kSlots; ++i) {
    if (!g_used[i]) {
      slot_ = i;
      break;
    }
  }
  if (slot_ < 0) {
    error_ = "too many temporary files";
    return;
  }
  // Block the signals while the slot is filled, so the handler never sees
  // a half-written path.
  sigset_t block, old;
  sigemptyset(&block);
  for (int s : kSignals) sigaddset(&block, s);
  sigprocmask(SIG_BLOCK, &block, &old);
  std::memcpy(g_paths[slot_], tmpl.c_str(), tmpl.size() + 1);
  fd_ = ::mkstemp(g_paths[slot_]);
  if (fd_ >= 0) {
    path_ = g_paths[slot_];
    g_used[slot_] = 1;
  } else {
    error_ = "cannot create a temporary file in " + tmpl.substr(0, tmpl.rfind('/')) + ": " +
             std::strerror(errno) + " (set TMPDIR to a writable directory)";
    slot_ = -1;
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
}

void TempFile::unlink_now() {
  if (slot_ >= 0 && g_used[slot_]) {
    g_used[slot_] = 0;
    ::unlink(path_.c_str());
  }
  slot_ = -1;
}

TempFile::~TempFile() {
  unlink_now();
  if (fd_ >= 0) ::close(fd_);
}

SignalScope::SignalScope(bool graceful) {
  g_graceful = graceful;
  g_stop = 0;
  if (g_scopes++ > 0) return;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &g_previous[i]);
}

SignalScope::~SignalScope() {
  if (--g_scopes > 0) return;
  for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &g_previous[i], nullptr);
  g_graceful = 0;
}

volatile std::sig_atomic_t* stop_flag() { return &g_stop; }

void set_sleeping(bool sleeping) { g_sleeping = sleeping; }

}  // namespace neo::neolog
