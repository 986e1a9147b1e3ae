#include "core/util/record_data.hpp"

#include <openssl/evp.h>
#include <zlib.h>

namespace neo {

namespace {

// zlib streams kept per thread: initialising one allocates ~256 KB, more
// than the work of compressing an object of a few KB.
struct Deflater {
  z_stream stream{};
  bool ok = deflateInit(&stream, Z_DEFAULT_COMPRESSION) == Z_OK;
  int level = Z_DEFAULT_COMPRESSION;
  ~Deflater() { deflateEnd(&stream); }
};

struct Inflater {
  z_stream stream{};
  bool ok = inflateInit(&stream) == Z_OK;
  ~Inflater() { inflateEnd(&stream); }
};

}  // namespace

std::string sha1(std::string_view bytes) {
  // Fetched once: OpenSSL 3 looks the algorithm up on every EVP_sha1() use.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, md, nullptr);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

StoredData compress(std::string_view data, int level) {
  thread_local Deflater deflater;
  z_stream& stream = deflater.stream;
  if (!deflater.ok || deflateReset(&stream) != Z_OK) return {0, std::string(data)};
  if (level != deflater.level) {  // on a reset stream: nothing to flush
    if (deflateParams(&stream, level, Z_DEFAULT_STRATEGY) != Z_OK) return {0, std::string(data)};
    deflater.level = level;
  }
  // Only a result smaller than the data is kept: no room for more.
  std::string out(data.size(), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  if (deflate(&stream, Z_FINISH) != Z_STREAM_END || stream.total_out >= data.size())
    return {0, std::string(data)};
  out.resize(stream.total_out);
  return {1, std::move(out)};
}

Result<std::string> decompress(std::int64_t compression, std::string_view data) {
  if (compression == 0) return std::string(data);
  if (compression != 1) return errc::corrupted_record;
  thread_local Inflater inflater;
  z_stream& stream = inflater.stream;
  if (!inflater.ok || inflateReset(&stream) != Z_OK) return errc::corrupted_record;
  std::string out(data.size() * 3 + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  int status = Z_OK;
  while (status == Z_OK) {
    if (stream.total_out == out.size()) out.resize(out.size() * 2);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + stream.total_out);
    stream.avail_out = static_cast<uInt>(out.size() - stream.total_out);
    status = inflate(&stream, Z_NO_FLUSH);
    if (status == Z_BUF_ERROR && stream.avail_out) break;  // truncated input
    if (status == Z_BUF_ERROR) status = Z_OK;
  }
  out.resize(stream.total_out);
  if (status != Z_STREAM_END || stream.avail_in) return errc::corrupted_record;
  return out;
}

}  // namespace neo
