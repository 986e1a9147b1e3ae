#include "core/log/protocol_text.hpp"

#include <bzlib.h>

#include <stdexcept>

namespace neo::log {

std::string compress_protocol(std::string_view python_source) {
  // bzip2's documented bound: 1% + 600 bytes more than the input.
  std::string out(python_source.size() + python_source.size() / 100 + 600, '\0');
  auto size = static_cast<unsigned>(out.size());
  int rc = BZ2_bzBuffToBuffCompress(out.data(), &size, const_cast<char*>(python_source.data()),
                                    static_cast<unsigned>(python_source.size()), 9, 0, 0);
  if (rc != BZ_OK) throw std::runtime_error("bz2 compression failed");
  out.resize(size);
  return out;
}

std::optional<std::string> decompress_protocol(std::string_view text) {
  bz_stream stream{};
  if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) return std::nullopt;
  stream.next_in = const_cast<char*>(text.data());
  stream.avail_in = static_cast<unsigned>(text.size());
  std::string out;
  char buffer[16384];
  int rc;
  do {
    stream.next_out = buffer;
    stream.avail_out = sizeof buffer;
    rc = BZ2_bzDecompress(&stream);
    out.append(buffer, sizeof buffer - stream.avail_out);
  } while (rc == BZ_OK && (stream.avail_in > 0 || stream.avail_out == 0));
  BZ2_bzDecompressEnd(&stream);
  if (rc != BZ_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace neo::log
