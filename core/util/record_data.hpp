// core/util/record_data.hpp
// How NEO stores object data: zlib-compressed when that makes it smaller
// (compression 1, else 0: raw), checksummed with SHA-1 of the stored bytes.
// Shared by the client (which compresses) and the storage (which checks).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace neo {

// The 20-byte SHA-1 digest of `bytes`.
std::string sha1(std::string_view bytes);

// The checksum of a record without data (a deletion, an undone creation).
inline constexpr std::string_view kZeroHash{"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20};

// A record without data: no bytes, checksum ZERO_HASH.
inline bool is_no_data(std::string_view data, std::string_view checksum) {
  return data.empty() && checksum == kZeroHash;
}

struct StoredData {
  std::int64_t compression = 0;  // 0 raw, 1 zlib
  std::string data;
};

// zlib at `level` (-1: its default; 1..9), kept only when smaller than
// `data` (NEO/py's client does the same).
StoredData compress(std::string_view data, int level = -1);

// The original bytes; errc::corrupted_record for an unknown compression or
// bytes zlib cannot inflate.
Result<std::string> decompress(std::int64_t compression, std::string_view data);

}  // namespace neo
