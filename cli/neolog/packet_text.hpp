// How a packet record reads, as upstream neolog renders it: the packet name
// from our packet table, the decoded arguments (Python repr) with -a, object
// data decompressed with -A, and the extra lines Error and
// NotifyNodeInformation always get. No I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/protocol/value.hpp"

namespace neo::neolog {

// 0: names only; 1: -a (arguments); 2: -A (arguments, object data decompressed).
enum class DecodeLevel { Names = 0, Arguments = 1, Data = 2 };

struct PacketText {
  std::string name;                // "AskObject", or "UnknownPacket[<code>]"
  std::string args;                // repr of the arguments; empty if not shown
  std::vector<std::string> extra;  // lines after the first one
};

class PacketDescriber {
 public:
  explicit PacketDescriber(DecodeLevel level);

  // Fills `out` for a packet row; `body` is nullopt for a NULL body.
  void describe(std::int64_t code, std::optional<std::string_view> body, PacketText& out);
  // Whether describe() reads the body of this packet (only whether there
  // is one matters otherwise).
  bool uses_body(std::int64_t code) const {
    return level_ != DecodeLevel::Names || code == error_code_ || code == node_information_code_;
  }
  // describe() remembering, per packet code, the text of the last small
  // body: logs repeat the same packets (polls, pings, answers) many times.
  // The reference stays valid until the next call.
  const PacketText& text_of(std::int64_t code, std::optional<std::string_view> body);

 private:
  struct Memo {
    bool valid = false;
    std::string body;  // empty when the text depends on the code only
    PacketText text;
  };

  bool decode(std::string_view body, protocol::Value& args) const;
  void describe_error(const protocol::Value& args, PacketText& out) const;
  void describe_node_information(const protocol::Value& args, PacketText& out) const;

  DecodeLevel level_;
  std::int64_t error_code_;
  std::int64_t node_information_code_;
  std::unordered_map<std::int64_t, Memo> memo_;
  PacketText scratch_;  // the text of what is not remembered
};

// Upstream's -A transformation: follows `path` into the arguments and
// replaces the (compression, checksum, data) triple found there by
// (len(data), data), data zlib-decompressed if compression is true.
// False (and `args` unspecified) if the value does not fit or the data is
// not valid zlib.
bool decompress_data(protocol::Value& args, const std::vector<int>& path);
// The path of the packets carrying object data, empty for others.
const std::vector<int>& data_path(std::string_view packet_name);

// zlib.decompress(): a complete zlib stream (trailing bytes ignored).
std::optional<std::string> zlib_decompress(std::string_view data);

}  // namespace neo::neolog
