#include "cli/neolog/packet_text.hpp"

#include <zlib.h>

#include <charconv>
#include <map>

#include "cli/neolog/node_list_lines.hpp"
#include "cli/neolog/packet_table.hpp"
#include "cli/neolog/python_repr.hpp"
#include "core/protocol/msgpack.hpp"

namespace neo::neolog {
namespace {

using protocol::Value;

// msgpack-python refuses to buffer more than NEO/py's UNPACK_BUFFER_SIZE,
// and nests at most 1024 containers.
constexpr std::size_t kMaxBody = 0x4000000;
constexpr int kMaxDepth = 1025;
// PacketDescriber::text_of(): bodies remembered, texts kept, codes remembered.
constexpr std::size_t kMemoBody = 512;
constexpr std::size_t kMemoText = 16384;
constexpr std::size_t kMemoCodes = 1024;

std::int64_t code_of(std::string_view name) {
  auto code = packet_code(name);
  return code ? *code : -1;
}

std::optional<std::size_t> python_len(const Value& v) {
  if (const auto* b = v.get_if<Value::Bin>()) return b->bytes.size();
  if (const auto* s = v.get_if<Value::Str>()) {
    std::size_t n = 0;
    for (const char c : s->text) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    return n;
  }
  if (const auto* a = v.get_if<Value::Array>()) return a->size();
  if (const auto* m = v.get_if<Value::Map>()) return m->size();
  return std::nullopt;
}

bool decompress_at(Value& args, const int* path, std::size_t depth) {
  if (!python_truthy(args)) {
    args = Value::nil();
    return true;
  }
  auto list = python_items(args);  // Python: list(args)
  if (!list || path[0] < 0) return false;
  args = Value::array(std::move(*list));
  auto* items = std::get_if<Value::Array>(&args.data);
  const auto i = static_cast<std::size_t>(path[0]);
  if (depth > 1) return i < items->size() && decompress_at((*items)[i], path + 1, depth - 1);
  if (i + 2 >= items->size()) return false;
  Value data = std::move((*items)[i + 2]);
  if (python_truthy((*items)[i])) {
    const auto* bin = data.get_if<Value::Bin>();
    if (!bin) return false;
    auto raw = zlib_decompress(bin->bytes);
    if (!raw) return false;
    data = Value::bin(std::move(*raw));
  }
  const auto len = python_len(data);
  if (!len) return false;
  Value pair = Value::array({Value::uinteger(*len), std::move(data)});
  items->erase(items->begin() + i + 1, items->begin() + i + 3);
  (*items)[i] = std::move(pair);
  return true;
}

}  // namespace

PacketDescriber::PacketDescriber(DecodeLevel level)
    : level_(level),
      error_code_(code_of("Error")),
      node_information_code_(code_of("NotifyNodeInformation")) {}

bool PacketDescriber::decode(std::string_view body, Value& args) const {
  if (body.size() > kMaxBody) return false;
  protocol::msgpack::Reader in(body);
  return protocol::read_value(in, args, kMaxDepth) && in.at_end() && python_compatible(args);
}

void PacketDescriber::describe(std::int64_t code, std::optional<std::string_view> body,
                               PacketText& out) {
  out.args.clear();
  out.extra.clear();
  const std::string_view name = packet_name(code);
  if (name.empty()) {
    out.name = "UnknownPacket[" + std::to_string(code) + "]";
    return;
  }
  out.name = name;
  const bool special = code == error_code_ || code == node_information_code_;
  if (!body || (!special && level_ == DecodeLevel::Names)) return;
  // Most packets: repr straight from the bytes (the general path below
  // gives the same text, building the value tree first).
  if (!special && (level_ == DecodeLevel::Arguments || data_path(name).empty()) &&
      body->size() <= kMaxBody && append_msgpack_repr(out.args, *body, kMaxDepth))
    return;
  Value args;
  if (!decode(*body, args)) {
    out.extra.emplace_back("Can't decode packet");
    return;
  }
  if (code == error_code_) return describe_error(args, out);
  if (code == node_information_code_) return describe_node_information(args, out);
  if (level_ == DecodeLevel::Data) {
    const std::vector<int>& path = data_path(name);
    if (!path.empty()) {
      Value copy = args;
      if (decompress_data(copy, path)) args = std::move(copy);  // else: shown as stored
    }
  }
  if (python_truthy(args)) append_repr(out.args, args);
}

const PacketText& PacketDescriber::text_of(std::int64_t code,
                                          std::optional<std::string_view> body) {
  const bool by_code = !uses_body(code);  // then only the code matters
  if (!by_code && (!body || body->size() > kMemoBody)) {
    describe(code, body, scratch_);
    return scratch_;
  }
  auto it = memo_.find(code);
  if (it == memo_.end()) {
    if (memo_.size() >= kMemoCodes) {  // a damaged log full of odd codes
      describe(code, body, scratch_);
      return scratch_;
    }
    it = memo_.emplace(code, Memo{}).first;
  }
  Memo& m = it->second;
  if (m.valid && (by_code || m.body == *body)) return m.text;
  describe(code, body, m.text);
  std::size_t size = m.text.args.size();
  for (const std::string& line : m.text.extra) size += line.size();
  if (size > kMemoText) {  // e.g. -A inflating a small body: not kept
    std::swap(scratch_, m.text);
    m = Memo{};
    return scratch_;
  }
  m.valid = true;
  if (by_code) {
    m.body.clear();
  } else {
    m.body.assign(*body);
  }
  return m.text;
}

void PacketDescriber::describe_error(const Value& args, PacketText& out) const {
  const auto items = python_items(args);  // Python: f(*args)
  if (!items || items->size() != 2) {
    out.extra.emplace_back("Can't decode packet");
    return;
  }
  std::string line;
  append_str(line, (*items)[0]);
  line += " (";
  append_str(line, (*items)[1]);
  line += ')';
  out.extra.push_back(std::move(line));
}

void PacketDescriber::describe_node_information(const Value& args, PacketText& out) const {
  const auto items = python_items(args);  // Python: f(*args)
  if (!items || items->size() != 2 || !append_node_list_lines((*items)[1], out.extra)) {
    out.extra.emplace_back("Can't decode packet");
    return;
  }
  if (level_ != DecodeLevel::Names) append_repr(out.args, Value::array({(*items)[0]}));
}

bool decompress_data(Value& args, const std::vector<int>& path) {
  return !path.empty() && decompress_at(args, path.data(), path.size());
}

const std::vector<int>& data_path(std::string_view packet_name) {
  // Where (compression, checksum, data) sits in the arguments.
  static const std::map<std::string_view, std::vector<int>> kPaths = {
      {"AskStoreObject", {2}},
      {"AnswerObject", {3}},
      {"AnswerRelockObject", {0, 2, 0}},
      {"AddObject", {2}},
  };
  static const std::vector<int> kNone;
  auto it = kPaths.find(packet_name);
  return it == kPaths.end() ? kNone : it->second;
}

std::optional<std::string> zlib_decompress(std::string_view data) {
  z_stream zs{};
  if (inflateInit(&zs) != Z_OK) return std::nullopt;
  std::string out;
  char buf[65536];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc == Z_OK);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace neo::neolog
