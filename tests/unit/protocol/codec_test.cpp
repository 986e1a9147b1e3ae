#include "core/protocol/codec.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/protocol/frame_reader.hpp"
#include "tests/unit/protocol/vectors.hpp"

namespace neo::protocol {
namespace {

using test::unhex;

// Arbitrary<T>::make(n) builds a T whose content depends on the counter n
// (incremented as values are made): optionals alternate between empty and
// set, vectors have 0-2 elements, integers span the msgpack widths.
template <class T>
struct Arbitrary;

template <class T>
T arbitrary(std::uint64_t& n) {
  return Arbitrary<T>::make(n);
}

template <class T>
concept HasFields = requires(T& t) {
  t.fields();
};

template <>
struct Arbitrary<bool> {
  static bool make(std::uint64_t& n) { return ++n % 2 == 0; }
};
template <>
struct Arbitrary<std::int64_t> {
  static std::int64_t make(std::uint64_t& n) {
    static constexpr std::int64_t kValues[] = {0,   1,     -1,        127,      128,
                                               -33, 65536, INT64_MIN, INT64_MAX};
    return kValues[++n % std::size(kValues)];
  }
};
template <>
struct Arbitrary<std::uint16_t> {
  static std::uint16_t make(std::uint64_t& n) { return static_cast<std::uint16_t>(++n * 7919); }
};
template <>
struct Arbitrary<double> {
  static double make(std::uint64_t& n) { return 1714564800.25 + static_cast<double>(++n); }
};
template <>
struct Arbitrary<std::string> {
  static std::string make(std::uint64_t& n) {
    ++n;
    return std::string(n % 40, static_cast<char>('a' + n % 26));
  }
};
template <>
struct Arbitrary<NodeId> {
  static NodeId make(std::uint64_t& n) {
    ++n;
    return make_node_id(static_cast<int>(n % 4), static_cast<std::uint32_t>(1 + n % 3));
  }
};
template <>
struct Arbitrary<Oid> {
  static Oid make(std::uint64_t& n) { return Oid{++n * 0x0101010101ULL}; }
};
template <>
struct Arbitrary<Tid> {
  static Tid make(std::uint64_t& n) { return Tid{0x03f84a5000000000ULL + ++n}; }
};
template <>
struct Arbitrary<Value> {
  static Value make(std::uint64_t& n) {
    ++n;
    return Value::array({Value::integer(-static_cast<std::int64_t>(n)), Value::bin("x"),
                         Value::map({{Value::ext(kExtNodeTypes, 2), Value::nil()}})});
  }
};
template <class E>
requires std::is_enum_v<E>
struct Arbitrary<E> {
  static E make(std::uint64_t& n) { return static_cast<E>(++n % 4); }
};
template <class T>
struct Arbitrary<std::optional<T>> {
  static std::optional<T> make(std::uint64_t& n) {
    if (++n % 2) return std::nullopt;
    return arbitrary<T>(n);
  }
};
template <class T>
struct Arbitrary<std::vector<T>> {
  static std::vector<T> make(std::uint64_t& n) {
    std::vector<T> v;
    for (std::uint64_t i = ++n % 3; i > 0; --i) v.push_back(arbitrary<T>(n));
    return v;
  }
};
template <class K, class V>
struct Arbitrary<std::pair<K, V>> {
  static std::pair<K, V> make(std::uint64_t& n) {
    K key = arbitrary<K>(n);
    return {std::move(key), arbitrary<V>(n)};
  }
};
template <HasFields S>
struct Arbitrary<S> {
  static S make(std::uint64_t& n) {
    S s;
    std::apply([&](auto&... f) { ((f = arbitrary<std::remove_cvref_t<decltype(f)>>(n)), ...); },
               s.fields());
    return s;
  }
};

TEST_CASE("every packet type survives encode and decode unchanged", "[protocol]") {
  int types = 0;
  for_each_packet_type([&]<class P>(std::type_identity<P>) {
    INFO(P::kName);
    ++types;
    const std::string empty = encode_args(P{});
    CHECK(encode_args(decode_args<P>(empty).value()) == empty);
    for (std::uint64_t seed = 0; seed < 8; ++seed) {
      std::uint64_t n = seed;
      const P p = arbitrary<P>(n);
      const std::string args = encode_args(p);
      Result<P> back = decode_args<P>(args);
      REQUIRE(back);
      CHECK(encode_args(*back) == args);
      CHECK(decode_args_value(args));
      std::string frame = "prefix";
      encode_to(frame, 7, p);
      CHECK(frame == "prefix" + encode_frame(7, P::kCode, args));
    }
  });
  CHECK(types == 111);
}

TEST_CASE("absent optionals are sent as nil, never as zero", "[protocol]") {
  CHECK(encode_args(AskObject{.oid = {1}, .at = {}, .before = {}}) ==
        unhex("93c4080000000000000001c0c0"));
  CHECK(encode_args(AskObject{.oid = {1}, .at = Tid{0}, .before = {}}) ==
        unhex("93c4080000000000000001c4080000000000000000c0"));
}

TEST_CASE("integers of any width decode", "[protocol]") {
  // AskNewOIDs(num_oids=5) with 5 as fixint, uint8..64, int8..64.
  for (const char* hex : {"9105", "91cc05", "91cd0005", "91ce00000005", "91cf0000000000000005",
                          "91d005", "91d10005", "91d200000005", "91d30000000000000005"}) {
    INFO(hex);
    CHECK(decode_args<AskNewOIDs>(unhex(hex)).value().num_oids == 5);
  }
  // Node ids: int32 range only.
  CHECK(decode_args<AnswerPrimary>(unhex("91d2f0000001")).value().primary_nid ==
        NodeId{-268435455});
  CHECK(decode_args<AnswerPrimary>(unhex("91ce80000000")).error() == errc::malformed_packet);
  CHECK(decode_args<AnswerPrimary>(unhex("91d3ffffffff7fffffff")).error() ==
        errc::malformed_packet);
  // int64 fields reject what does not fit.
  CHECK(decode_args<AskNewOIDs>(unhex("91cf8000000000000000")).error() == errc::malformed_packet);
  // Ports: 0..65535.
  CHECK(decode_args<NotifyUpstreamAdmin>(unhex("9192c400ce00010000")).error() ==
        errc::malformed_packet);
}

TEST_CASE("malformed arguments are rejected cleanly", "[protocol]") {
  const auto malformed = [](std::string_view hex) {
    Result<AskObject> r = decode_args<AskObject>(unhex(hex));
    return !r && r.error() == errc::malformed_packet;
  };
  CHECK_FALSE(malformed("93c4080000000000000001c0c0"));  // the valid one
  CHECK(malformed("92c4080000000000000001c0"));          // too few args
  CHECK(malformed("94c4080000000000000001c0c0c0"));      // too many
  CHECK(malformed("93c40700000000000001c0c0"));          // 7-byte p64
  CHECK(malformed("93c409000000000000000001c0c0"));      // 9-byte p64
  CHECK(malformed("9301c0c0"));                          // p64 as an integer
  CHECK(malformed("93a80000000000000001c0c0"));          // p64 as a str
  CHECK(malformed("93c4080000000000000001c0c0c0"));      // trailing bytes
  CHECK(malformed("93c4080000000000000001c0"));          // truncated
  CHECK(malformed("83c4080000000000000001c0c0"));        // a map, not an array
  CHECK(malformed(""));
  CHECK(malformed("c1"));
  // Booleans are not integers and vice versa.
  CHECK(decode_args<StartOperation>(unhex("9101")).error() == errc::malformed_packet);
  CHECK(decode_args<StartOperation>(unhex("91c3")).value().backup);
  CHECK(decode_args<AskNewOIDs>(unhex("91c3")).error() == errc::malformed_packet);
  // Tuples need their exact length.
  CHECK(decode_args<NotifyUpstreamAdmin>(unhex("9193c40001c0")).error() == errc::malformed_packet);
  // Float fields take floats.
  CHECK(decode_args<NotifyNodeInformation>(unhex("920190")).error() == errc::malformed_packet);
  CHECK(decode_args<NotifyNodeInformation>(unhex("92ca3f80000090")).value().timestamp == 1.0);
}

TEST_CASE("enums outside their range or of another ext type are rejected", "[protocol]") {
  const auto state = [](std::string_view hex) {
    return decode_args<NotifyClusterInformation>(unhex(hex));
  };
  CHECK(state("91d40102").value().state == ClusterState::Running);
  CHECK(state("91d40106").value().state == ClusterState::StoppingBackup);
  CHECK(state("91c70201cc02").value().state == ClusterState::Running);  // any int payload
  CHECK(state("91d40107").error() == errc::malformed_packet);           // value 7
  CHECK(state("91d401ff").error() == errc::malformed_packet);           // value -1
  CHECK(state("91d40402").error() == errc::malformed_packet);           // NodeTypes ext
  CHECK(state("91d40902").error() == errc::malformed_packet);           // unknown ext type
  CHECK(state("91d401c0").error() == errc::malformed_packet);           // payload not an int
  CHECK(state("91d5010201").error() == errc::malformed_packet);  // payload with trailing byte
  CHECK(state("9102").error() == errc::malformed_packet);        // a plain int
  // `any` fields only take NEO enums as ext values too.
  CHECK(
      decode_args<NotifyMonitorInformation>(unhex("9181c401"
                                                  "61d40001")));
  CHECK(decode_args<NotifyMonitorInformation>(unhex("9181c40161d40905")).error() ==
        errc::malformed_packet);
  CHECK(decode_args<NotifyMonitorInformation>(unhex("9181c40161d40005")).error() ==
        errc::malformed_packet);
}

TEST_CASE("a lying array header does not make the decoder allocate", "[protocol]") {
  // AnswerTIDs with 2^32-1 announced TIDs and none present.
  CHECK(decode_args<AnswerTIDs>(unhex("91ddffffffff")).error() == errc::malformed_packet);
  CHECK(decode_args_value(unhex("91ddffffffff")).error() == errc::malformed_packet);
  CHECK(decode_args_value(unhex("91dfffffffff")).error() == errc::malformed_packet);
}

TEST_CASE("packet info gives codes, names, kinds and answers", "[protocol]") {
  CHECK(all_packets().size() == 111);
  const PacketInfo* ask = find_packet(AskObject::kCode);
  REQUIRE(ask != nullptr);
  CHECK(ask->name == "AskObject");
  CHECK(ask->kind == PacketKind::Request);
  CHECK(ask->answer == AnswerObject::kCode);
  CHECK(find_packet(AnswerObject::kCode)->request == 0x0020);
  CHECK(find_packet(FailedVote::kCode)->answer == 0x8000);
  CHECK(find_packet("NotifyReady")->kind == PacketKind::Notification);
  CHECK(find_packet(0x8000)->kind == PacketKind::Error);
  CHECK(find_packet(0) == nullptr);
  CHECK(find_packet(0x804a) == nullptr);
  CHECK(find_packet("AskNothing") == nullptr);
  CHECK_FALSE(visit_packet_type(0x1234, [](auto) {}));
  static_assert(std::is_same_v<AskObject::Answer, AnswerObject>);
  static_assert(std::is_same_v<SetNodeState::Answer, Error>);
  static_assert(AnswerObject::kKind == PacketKind::Answer && AnswerObject::kCode == 0x8020);
}

}  // namespace
}  // namespace neo::protocol
