// Upstream NEO/py's neolog reads the logs of our nodes: core/log stores our
// generated protocol description (python_description.hpp), which upstream
// neolog executes to name and decode packets. The same file printed by
// upstream neolog and by ours must give the same text, for each option set.
// Skipped (exit code 77) without NEO_PEER_PYTHONPATH.
#include <sys/wait.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/interop/peer_env.hpp"
#include "cli/neolog/neolog.hpp"
#include "core/log/log.hpp"
#include "core/log/protocol_text.hpp"
#include "core/protocol/codec.hpp"
#include "core/protocol/python_description.hpp"
#include "tests/unit/log/log_test_support.hpp"

using namespace neo;
using neo::interop::shell_quote;
using namespace neo::protocol;

namespace {

std::string upstream_neolog(const std::string& args) {
  std::string command = "TZ=UTC " + interop::peer_python_command() + " -m neo.scripts.neolog " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  std::string out;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  if (status != 0) out += "[exit status " + std::to_string(status) + "]\n";
  return out;
}

std::string our_neolog(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"neolog"};
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::ostringstream out;
  const int status = neolog::run_neolog(static_cast<int>(argv.size()), argv.data(), out, out);
  if (status != 0) out << "[exit status " << status << "]\n";
  return out.str();
}

std::string zlib(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  REQUIRE(compress(reinterpret_cast<Bytef*>(out.data()), &size,
                   reinterpret_cast<const Bytef*>(data.data()), data.size()) == Z_OK);
  out.resize(size);
  return out;
}

template <class P>
void packet(bool sent, std::string_view peer, std::uint32_t msg_id, const P& p) {
  log::packet(sent, peer, "127.0.0.1:10000", msg_id, P::kCode, encode_args(p));
}

constexpr std::int32_t kM1 = static_cast<std::int32_t>(0xf0000001);
constexpr std::int32_t kC1 = static_cast<std::int32_t>(0xe0000001);

// A storage node's log: records before and after it knows its identity, and
// a representative set of packets.
void write_log(const std::string& path) {
  log::Options options;
  options.logfile = path;
  options.console_level = log::Level::Critical;
  options.backlog = std::nullopt;
  options.max_packet = 4096;
  options.protocol = log::compress_protocol(python_description());
  log::setup("neostorage", options);
  SPDLOG_INFO("starting\nsecond line");
  SPDLOG_DEBUG("debug record");
  RequestIdentification ident{
      .node_type = NodeType::Storage,
      .address = Address{"127.0.0.1", 20000},
      .name = "neo'test",
      .extra = {{"devpath", Value::array({Value::bin("vm")})}, {"new_nid", Value::array({})}}};
  packet(true, "None", 0, ident);
  log::set_node("neotest", NodeId{1});
  SPDLOG_WARN("identified as S1");
  packet(false, "M1", 0,
         AcceptIdentification{
             .node_type = NodeType::Master, .nid = NodeId{kM1}, .your_nid = NodeId{1}});
  packet(false, "M1", 1,
         NotifyNodeInformation{.timestamp = 1700000000.25,
                               .node_list = {{NodeType::Storage, Address{"127.0.0.1", 20000},
                                              NodeId{1}, NodeState::Pending, 1700000000.123456},
                                             {NodeType::Master, Address{"127.0.0.1", 10000},
                                              NodeId{kM1}, NodeState::Running, std::nullopt},
                                             {NodeType::Client, std::nullopt, NodeId{kC1},
                                              NodeState::Running, 1700000001.5},
                                             {NodeType::Admin, Address{"::1", 9999}, std::nullopt,
                                              NodeState::Unknown, std::nullopt}}});
  packet(false, "M1", 2, NotifyClusterInformation{.state = ClusterState::Verifying});
  packet(false, "M1", 3,
         SendPartitionTable{
             .ptid = 1,
             .num_replicas = 0,
             .row_list = {{{NodeId{1}, CellState::UpToDate}},
                          {{NodeId{1}, CellState::OutOfDate}, {NodeId{2}, CellState::Feeding}}}});
  const std::string data = "object data, compressible, compressible, compressible";
  packet(false, "C1", 4, AskObject{.oid = Oid{5}, .before = Tid{0x03d2a1b2c3d4e5f6}});
  packet(true, "C1", 4,
         AnswerObject{.oid = Oid{5},
                      .serial = Tid{0x03d2a1b2c3d4e5f0},
                      .compression = 1,
                      .checksum = std::string(20, 'c'),
                      .data = zlib(data)});
  packet(true, "C1", 5,
         AnswerObject{.oid = Oid{6},
                      .serial = Tid{7},
                      .compression = 0,
                      .checksum = std::string(20, '\0'),
                      .data = "raw"});
  packet(true, "C1", 6, AnswerObject{.oid = Oid{6}, .serial = Tid{8}});
  packet(false, "C1", 7,
         AskStoreObject{.oid = Oid{5},
                        .serial = Tid{0},
                        .compression = 1,
                        .checksum = std::string(20, 'x'),
                        .data = zlib(data),
                        .ttid = Tid{9}});
  packet(true, "C1", 8,
         AnswerRelockObject{
             .conflict = RelockConflict{.serial = Tid{1},
                                        .conflict_serial = Tid{2},
                                        .data = ObjectData{1, std::string(20, 'y'), zlib(data)}}});
  packet(true, "S2", 9,
         AddObject{
             .oid = Oid{1}, .serial = Tid{2}, .compression = 0, .checksum = "z", .data = "plain"});
  packet(true, "C1", 10, Error{.code = 5, .message = "0000000000000005"});
  SPDLOG_ERROR("an error");
  log::packet(false, "C1", "", 11, 0x7777, "\x90");  // unknown code
  packet(
      true, "C1", 12,
      AnswerObject{.oid = Oid{7}, .compression = 0, .data = std::string(5000, 'd')});  // NULL body
  SPDLOG_CRITICAL("the end");
  log::set_node(std::nullopt, std::nullopt);
  log::shutdown();
}

}  // namespace

TEST_CASE("upstream neolog reads our logs as our neolog does", "[interop][log]") {
  log::test::TempDir dir;
  const std::string path = dir.file("storage.log");
  write_log(path);
  setenv("TZ", "UTC", 1);
  tzset();
  const std::vector<std::vector<std::string>> option_sets = {
      {}, {"-a"}, {"-A"}, {"-N"}, {"-C"}, {"-C", "-a"}, {"-c", "-a"}, {"-n", "-"}};
  int matching = 0;
  std::map<std::string, std::string> outputs;  // upstream's, by option string
  for (const auto& options : option_sets) {
    std::string args;
    for (const std::string& option : options) args += option + " ";
    INFO("neolog " << args);
    std::vector<std::string> argv = options;
    argv.push_back(path);
    const std::string ours = our_neolog(argv);
    const std::string upstream = upstream_neolog(args + shell_quote(path));
    CHECK(ours == upstream);
    if (std::getenv("NEO_SHOW_NEOLOG"))
      std::printf("$ neolog %s\n%s", args.c_str(), upstream.c_str());
    matching += ours == upstream;
    outputs[args] = upstream;
  }
  // Upstream really decoded: enums, node lists, errors, object data.
  const std::string& decompressed = outputs["-A "];
  for (const char* part :
       {"<EnumItem VERIFYING (1)>", "(<EnumItem STORAGE (1)>, None, (b'127.0.0.1'",
        " ! M1   | MASTER  | 127.0.0.1:10000 | RUNNING | None\n",
        " ! None | ADMIN   | [::1]:9999      | UNKNOWN | None\n", "5 (b'0000000000000005')\n",
        "UnknownPacket[30583]", "None, (53, b'object data, compressible", "(5, b'plain'), None)"})
    CHECK(decompressed.find(part) != std::string::npos);
  CHECK(decompressed.find("Can't decode") == std::string::npos);
  CHECK(decompressed.find("Traceback") == std::string::npos);
  CHECK(outputs["-C "].find(" neotest/S1 ") != std::string::npos);
  std::printf("neolog outputs identical for %d of %zu option sets\n", matching, option_sets.size());
}
