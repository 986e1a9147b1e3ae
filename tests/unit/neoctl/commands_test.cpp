// Every neoctl command against a scripted admin: the packets sent, the
// output and the exit status. Expected texts are those of NEO/py's neoctl,
// most from shared/corpus/neolog/scenario-transcript.txt.
#include <catch2/catch.hpp>

#include "tests/unit/neoctl/fake_admin.hpp"

using namespace neo;
using namespace neo::neoctl;
using neo::neoctl::test::FakeAdmin;
using neo::neoctl::test::Outcome;
using neo::neoctl::test::run;
using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

namespace {

const NodeId kS1{1}, kS2{2};
const NodeId kM1 = make_node_id(0, 1);
const NodeId kA1 = make_node_id(3, 1);
const NodeId kC1 = make_node_id(2, 1);

void check_output(const Outcome& outcome, const std::string& out) {
  CHECK(outcome.err == "");
  CHECK(outcome.out == out);
  CHECK(outcome.status == 0);
}

void check_failure(const Outcome& outcome, const std::string& err) {
  CHECK(outcome.out == "");
  CHECK(outcome.err == err);
  CHECK(outcome.status == 1);
}

protocol::NodeInfo node(NodeType type, NodeId nid, std::uint16_t port, NodeState state,
                        std::optional<double> timestamp) {
  return {.node_type = type,
          .address = protocol::Address{"127.0.0.1", port},
          .nid = nid,
          .state = state,
          .id_timestamp = timestamp};
}

protocol::RowList rows(int partitions, std::vector<protocol::CellInfo> cells) {
  return protocol::RowList(partitions, cells);
}

protocol::AnswerNodeList storages(NodeState s2 = NodeState::Running) {
  return {.node_list = {node(NodeType::Storage, kS1, 21110, NodeState::Running, 1795319356.361737),
                        node(NodeType::Storage, kS2, 21111, s2, 1795319358.524489)}};
}

}  // namespace

TEST_CASE("print node lists the nodes sorted, columns aligned", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerNodeList{
      .node_list = {node(NodeType::Storage, kS2, 21111, NodeState::Pending, 1795319358.524489),
                    node(NodeType::Master, kM1, 21100, NodeState::Running, std::nullopt),
                    node(NodeType::Admin, kA1, 21101, NodeState::Running, 1795319356.310273),
                    {.node_type = NodeType::Client,
                     .nid = kC1,
                     .state = NodeState::Running,
                     .id_timestamp = 1795319357.909591},
                    node(NodeType::Storage, kS1, 21110, NodeState::Running, 1795319356.361737)}});
  check_output(run(admin, {"print", "node"}),
               "A1 | ADMIN   | 127.0.0.1:21101 | RUNNING | 2026-11-22 03:49:16.310273\n"
               "C1 | CLIENT  |                 | RUNNING | 2026-11-22 03:49:17.909591\n"
               "M1 | MASTER  | 127.0.0.1:21100 | RUNNING | None\n"
               "S1 | STORAGE | 127.0.0.1:21110 | RUNNING | 2026-11-22 03:49:16.361737\n"
               "S2 | STORAGE | 127.0.0.1:21111 | PENDING | 2026-11-22 03:49:18.524489\n");
  CHECK_FALSE(admin.request<protocol::AskNodeList>(0).node_type);
  CHECK(admin.address == net::Address{"127.0.0.1", 9999});
  CHECK_FALSE(admin.tls);
}

TEST_CASE("print node TYPE filters; an empty list says so", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerNodeList{});
  check_output(run(admin, {"print", "node", "client"}), "Empty list!\n");
  CHECK(admin.request<protocol::AskNodeList>(0).node_type == NodeType::Client);
  check_failure(run(admin, {"print", "node", "foo"}), "neoctl: invalid node type 'foo'\n");
  check_failure(run(admin, {"print", "node", "storage", "x"}),
                "neoctl: print node takes at most one node type\n");
  CHECK(admin.sent.size() == 1);
}

TEST_CASE("print pt prints the matrix of the storage nodes", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerPartitionList{
      .ptid = 1, .num_replicas = 1, .row_list = rows(12, {{kS1, CellState::UpToDate}})});
  admin.reply(protocol::AnswerNodeList{.node_list = {storages().node_list[0]}});
  check_output(run(admin, {"print", "pt"}),
               "# ptid: 1, replicas: 1\n"
               "             10v\n"
               "S1 R UUUUUUUUUUUU\n");
  auto ask = admin.request<protocol::AskPartitionList>(0);
  CHECK(ask.min_offset == 0);
  CHECK(ask.max_offset == 0);
  CHECK_FALSE(ask.nid);
  CHECK(admin.request<protocol::AskNodeList>(1).node_type == NodeType::Storage);

  // After `kill S2` (transcript): S2 DOWN, its cells OUT_OF_DATE.
  admin.reply(protocol::AnswerPartitionList{
      .ptid = 15,
      .num_replicas = 1,
      .row_list = rows(12, {{kS1, CellState::UpToDate}, {kS2, CellState::OutOfDate}})});
  admin.reply(storages(NodeState::Down));
  check_output(run(admin, {"print", "pt"}),
               "# ptid: 15, replicas: 1\n"
               "             10v\n"
               "S1 R UUUUUUUUUUUU\n"
               "S2 D OOOOOOOOOOOO\n");
  // A running storage without cells gets a line of dots.
  admin.reply(protocol::AnswerPartitionList{
      .ptid = 3, .num_replicas = 0, .row_list = rows(3, {{kS1, CellState::UpToDate}})});
  admin.reply(storages(NodeState::Running));
  check_output(run(admin, {"print", "pt"}), "# ptid: 3, replicas: 0\nS1 R UUU\nS2 R ...\n");
}

TEST_CASE("print pt MIN MAX NODE prints one line per partition", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerPartitionList{
      .ptid = 14,
      .num_replicas = 1,
      .row_list = rows(3, {{kS1, CellState::UpToDate}, {kS2, CellState::UpToDate}})});
  check_output(run(admin, {"print", "pt", "0", "3", "S1"}),
               "# ptid: 14, replicas: 1\n"
               "000 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |\n"
               "001 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |\n"
               "002 | S1 - UP_TO_DATE | S2 - UP_TO_DATE |\n");
  auto ask = admin.request<protocol::AskPartitionList>(0);
  CHECK(ask.min_offset == 0);
  CHECK(ask.max_offset == 3);
  CHECK(ask.nid == kS1);
  CHECK(admin.sent.size() == 1);  // no node list for rows

  admin.reply(protocol::AnswerPartitionList{
      .ptid = 1, .num_replicas = 0, .row_list = rows(2, {{kS1, CellState::Feeding}})});
  check_output(run(admin, {"print", "pt", "10"}),
               "# ptid: 1, replicas: 0\n010 | S1 - FEEDING |\n011 | S1 - FEEDING |\n");
  admin.reply(protocol::AnswerPartitionList{.ptid = 1});
  check_output(run(admin, {"print", "pt", "5", "3"}), "# ptid: 1, replicas: 0\n\n");

  check_failure(run(admin, {"print", "pt", "x"}), "neoctl: invalid partition offset 'x'\n");
  check_failure(run(admin, {"print", "pt", "0", "0", "s1"}), "neoctl: invalid node id 's1'\n");
  check_failure(run(admin, {"print", "pt", "0", "0", "S1", "4"}),
                "neoctl: print pt takes at most 3 arguments\n");
  CHECK(admin.sent.size() == 3);
}

TEST_CASE("print ids", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerRecovery{.ptid = 1});
  admin.reply(protocol::AnswerLastIDs{.last_tid = Tid{0}, .last_oid = Oid{0}});
  check_output(run(admin, {"print", "ids"}),
               "last_oid = 0x0\nlast_tid = 0x0 (1900-01-01 00:00:00)\nlast_ptid = 1\n");
  CHECK(admin.sent[0].code == protocol::AskRecovery::kCode);
  CHECK(admin.sent[1].code == protocol::AskLastIDs::kCode);

  admin.reply(protocol::AnswerRecovery{.ptid = 15});
  admin.reply(protocol::AnswerLastIDs{.last_tid = Tid{0x40d2dc5769f7661}, .last_oid = Oid{0x64}});
  check_output(run(admin, {"print", "ids"}),
               "last_oid = 0x64\n"
               "last_tid = 0x40d2dc5769f7661 (2026-11-22 03:49:27.802242)\n"
               "last_ptid = 15\n");

  // A backup cluster reports its backup TID instead of the last OID.
  admin.sent.clear();
  admin.reply(protocol::AnswerRecovery{.ptid = 27, .backup_tid = Tid{0x40d2dc582c59eb9}});
  admin.reply(protocol::AnswerLastTransaction{.tid = Tid{0x40d2dc582c59eb9}});
  check_output(run(admin, {"print", "ids"}),
               "backup_tid = 0x40d2dc582c59eb9 (2026-11-22 03:49:30.649676)\n"
               "last_tid = 0x40d2dc582c59eb9 (2026-11-22 03:49:30.649676)\n"
               "last_ptid = 27\n");
  CHECK(admin.sent[1].code == protocol::AskLastTransaction::kCode);

  admin.reply(protocol::AnswerRecovery{});
  admin.reply(protocol::AnswerLastIDs{.last_tid = Tid{0}, .last_oid = Oid{2}});
  check_output(run(admin, {"print", "ids"}),
               "last_oid = 0x2\nlast_tid = 0x0 (1900-01-01 00:00:00)\nlast_ptid = None\n");
  check_failure(run(admin, {"print", "ids", "x"}), "neoctl: print ids takes no argument\n");
}

TEST_CASE("print cluster, print primary", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerClusterState{.state = protocol::ClusterState::Running});
  check_output(run(admin, {"print", "cluster"}), "RUNNING\n");
  admin.reply(protocol::AnswerClusterState{.state = protocol::ClusterState::StartingBackup});
  check_output(run(admin, {"print", "cluster"}), "STARTING_BACKUP\n");
  admin.reply(protocol::AnswerClusterState{});
  check_output(run(admin, {"print", "cluster"}), "None\n");
  admin.reply(protocol::AnswerPrimary{.primary_nid = kM1});
  check_output(run(admin, {"print", "primary"}), "M1\n");
  admin.reply(protocol::AnswerPrimary{.primary_nid = make_node_id(0, 2)});
  check_output(run(admin, {"print", "primary", "ignored"}), "M2\n");  // as upstream
  check_failure(run(admin, {"print", "cluster", "x"}), "neoctl: print cluster takes no argument\n");
}

TEST_CASE("print summary: JSON severities, then the summary", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerMonitorInformation{
      .summary = "RUNNING; UP_TO_DATE=24; ltid=040d2dc54d5f80cf (2026-11-22 03:49:18.134310)"});
  check_output(
      run(admin, {"print", "summary"}),
      "# {}\nRUNNING; UP_TO_DATE=24; ltid=040d2dc54d5f80cf (2026-11-22 03:49:18.134310)\n");
  admin.reply(protocol::AnswerMonitorInformation{.warning_list = {std::nullopt, "backup \"1\""},
                                                 .problem_list = {"b\xc3\xa9\n"},
                                                 .summary = "x\ny"});
  check_output(
      run(admin, {"print", "summary"}),
      "# {\"warning\": [null, \"backup \\\"1\\\"\"], \"problem\": [\"b\\u00e9\\n\"]}\nx\ny\n");
  admin.reply(protocol::AnswerMonitorInformation{.problem_list = {std::nullopt}, .summary = "s"});
  check_output(run(admin, {"print", "summary"}), "# {\"problem\": [null]}\ns\n");
}

TEST_CASE("set cluster: the answer's message, or DENIED's on stderr", "[neoctl]") {
  FakeAdmin admin;
  admin.reply_error(errc::denied, "Invalid state requested");
  check_failure(run(admin, {"set", "cluster", "RECOVERING"}), "Invalid state requested\n");
  CHECK(admin.request<protocol::SetClusterState>(0).state == protocol::ClusterState::Recovering);
  admin.ack("Cluster state changed");
  check_output(run(admin, {"set", "cluster", "stopping"}), "Cluster state changed\n");
  CHECK(admin.request<protocol::SetClusterState>(1).state == protocol::ClusterState::Stopping);
  check_failure(run(admin, {"set", "cluster", "bogus"}), "neoctl: invalid cluster state 'bogus'\n");
  check_failure(run(admin, {"set", "cluster"}),
                "neoctl: set cluster takes exactly one cluster state\n");
  CHECK(admin.sent.size() == 2);
}

TEST_CASE("set replicas", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("");
  check_output(run(admin, {"set", "replicas", "2"}), "\n");
  CHECK(admin.request<protocol::SetNumReplicas>(0).num_replicas == 2);
  check_failure(run(admin, {"set", "replicas", "-1"}), "invalid number of replicas\n");
  check_failure(run(admin, {"set", "replicas", "x"}), "neoctl: invalid number of replicas 'x'\n");
  CHECK(admin.sent.size() == 1);
}

TEST_CASE("start asks for VERIFYING", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("Cluster state changed");
  check_output(run(admin, {"start"}), "Cluster state changed\n");
  CHECK(admin.request<protocol::SetClusterState>(0).state == protocol::ClusterState::Verifying);
  admin.reply_error(errc::denied, "Can not switch to this state");
  check_failure(run(admin, {"start"}), "Can not switch to this state\n");
  check_failure(run(admin, {"start", "now"}), "neoctl: start takes no argument\n");
}

TEST_CASE("add NODE... and add all", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("Nodes added: S2");
  check_output(run(admin, {"add", "S2"}), "Nodes added: S2\n");
  CHECK(admin.request<protocol::AddPendingNodes>(0).nid_list == std::vector<NodeId>{kS2});

  admin.sent.clear();
  admin.reply(storages(NodeState::Pending));
  admin.ack("Nodes added: S2");
  check_output(run(admin, {"add", "all"}), "Nodes added: S2\n");
  CHECK(admin.request<protocol::AskNodeList>(0).node_type == NodeType::Storage);
  CHECK(admin.request<protocol::AddPendingNodes>(1).nid_list == std::vector<NodeId>{kS1, kS2});

  admin.sent.clear();
  admin.ack("No node added");
  check_output(run(admin, {"add"}), "No node added\n");
  CHECK(admin.request<protocol::AddPendingNodes>(0).nid_list.empty());
  check_failure(run(admin, {"add", "S1", "all"}), "neoctl: invalid node id 'all'\n");
}

TEST_CASE("tweak prints the new table, or that nothing changed", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerTweakPartitionTable{
      .changed = true,
      .row_list = rows(12, {{kS1, CellState::UpToDate}, {kS2, CellState::OutOfDate}})});
  admin.reply(storages());
  check_output(run(admin, {"tweak", "-n"}),
               "             10v\nS1 R UUUUUUUUUUUU\nS2 R OOOOOOOOOOOO\n");
  auto tweak = admin.request<protocol::TweakPartitionTable>(0);
  CHECK(tweak.dry_run);
  CHECK(tweak.nid_list.empty());
  CHECK(admin.request<protocol::AskNodeList>(1).node_type == NodeType::Storage);

  admin.sent.clear();
  admin.reply(protocol::AnswerTweakPartitionTable{.changed = false});
  check_output(run(admin, {"tweak", "S2", "S1"}), "No change done.\n");
  tweak = admin.request<protocol::TweakPartitionTable>(0);
  CHECK_FALSE(tweak.dry_run);
  CHECK(tweak.nid_list == std::vector<NodeId>{kS2, kS1});
  check_failure(run(admin, {"tweak", "S1", "-n"}), "neoctl: invalid node id '-n'\n");
}

TEST_CASE("kill and drop set the node state", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("state changed");
  check_output(run(admin, {"kill", "S2"}), "state changed\n");
  auto state = admin.request<protocol::SetNodeState>(0);
  CHECK(state.nid == kS2);
  CHECK(state.state == NodeState::Down);
  admin.ack("node permanently removed");
  check_output(run(admin, {"drop", "S2"}), "node permanently removed\n");
  state = admin.request<protocol::SetNodeState>(1);
  CHECK(state.nid == kS2);
  CHECK(state.state == NodeState::Unknown);
  admin.reply_error(errc::denied, "a running node must be stopped before removal");
  check_failure(run(admin, {"drop", "S1"}), "a running node must be stopped before removal\n");
  admin.reply_error(errc::denied, "can not kill primary master node");
  check_failure(run(admin, {"kill", "M1"}), "can not kill primary master node\n");
  check_failure(run(admin, {"kill"}), "neoctl: kill takes exactly one node id\n");
  check_failure(run(admin, {"drop", "S1", "S2"}), "neoctl: drop takes exactly one node id\n");
  check_failure(run(admin, {"kill", "x"}), "neoctl: invalid node id 'x'\n");
  CHECK(admin.sent.size() == 4);
}

TEST_CASE("prune_orphan DRY_RUN NODE... | all", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("");
  check_output(run(admin, {"prune_orphan", "0", "S1", "S2"}), "\n");
  auto repair = admin.request<protocol::Repair>(0);
  CHECK(repair.nid_list == std::vector<NodeId>{kS1, kS2});
  CHECK_FALSE(repair.dry_run);

  admin.sent.clear();
  admin.reply(storages());
  admin.ack("");
  check_output(run(admin, {"prune_orphan", "1", "all"}), "\n");
  repair = admin.request<protocol::Repair>(1);
  CHECK(repair.nid_list == std::vector<NodeId>{kS1, kS2});
  CHECK(repair.dry_run);

  admin.ack("");
  check_output(run(admin, {"prune_orphan", "01", "S1"}), "\n");  // "01" is 0 upstream
  CHECK_FALSE(admin.request<protocol::Repair>(2).dry_run);
  check_failure(run(admin, {"prune_orphan", "2", "S1"}),
                "neoctl: prune_orphan: dry_run must be 0 or 1\n");
  check_failure(run(admin, {"prune_orphan"}), "neoctl: prune_orphan: dry_run must be 0 or 1\n");
}

TEST_CASE("truncate TID prints nothing", "[neoctl]") {
  FakeAdmin admin;
  admin.ack("");
  check_output(run(admin, {"truncate", "tid:0x3937af2eeeeeeee"}), "");
  CHECK(admin.request<protocol::Truncate>(0).tid == Tid{0x3937af2eeeeeeeeULL});
  admin.ack("");
  check_output(run(admin, {"truncate", "1325421296"}), "");
  CHECK(admin.request<protocol::Truncate>(1).tid == tid_from_time(1325421296));
  admin.reply_error(errc::denied, "Truncating after last transaction does nothing");
  check_failure(run(admin, {"truncate", "tid:1"}),
                "Truncating after last transaction does nothing\n");
  check_failure(run(admin, {"truncate", "tid:zz"}), "neoctl: invalid TID 'tid:zz'\n");
  check_failure(run(admin, {"truncate"}), "neoctl: truncate takes exactly one TID\n");
}

TEST_CASE("check PARTITION:REFERENCE... [MIN_TID [MAX_TID]]", "[neoctl]") {
  using Dict = std::vector<std::pair<std::int64_t, std::optional<NodeId>>>;
  FakeAdmin admin;
  admin.ack("");
  check_output(run(admin, {"check", "0:", "1:S1", "2:", "0:S2"}), "");
  auto check = admin.request<protocol::CheckReplicas>(0);
  CHECK(check.partition_dict == Dict{{0, kS2}, {1, kS1}, {2, std::nullopt}});
  CHECK(check.min_tid == Tid{0});
  CHECK_FALSE(check.max_tid);

  admin.ack("");
  check_output(run(admin, {"check", "3:", "1325421296", "1325421297", "ignored"}), "");
  check = admin.request<protocol::CheckReplicas>(1);
  CHECK(check.partition_dict == Dict{{3, std::nullopt}});
  CHECK(check.min_tid == tid_from_time(1325421296));
  CHECK(check.max_tid == tid_from_time(1325421297));

  admin.ack("");
  check_output(run(admin, {"check", "0:", "tid:0x10"}), "");
  CHECK(admin.request<protocol::CheckReplicas>(2).min_tid == Tid{0x10});

  // ":S1": every partition of the table.
  admin.sent.clear();
  admin.reply(protocol::AnswerPartitionList{.ptid = 1, .row_list = rows(3, {})});
  admin.ack("");
  check_output(run(admin, {"check", ":S1", "1:"}), "");
  check = admin.request<protocol::CheckReplicas>(1);
  CHECK(check.partition_dict == Dict{{0, kS1}, {1, std::nullopt}, {2, kS1}});

  check_failure(run(admin, {"check", "0:s1"}), "neoctl: invalid node id 's1'\n");
  check_failure(run(admin, {"check", "x:"}), "neoctl: invalid partition 'x'\n");
  check_failure(run(admin, {"check", "0:", "yesterday"}), "neoctl: invalid TID 'yesterday'\n");
  check_failure(run(admin, {"check", "0:", ":"}),
                "neoctl: check: ':reference' (all partitions) must come first\n");
}

TEST_CASE("flush_log sends a notification and prints nothing", "[neoctl]") {
  FakeAdmin admin;
  check_output(run(admin, {"flush_log"}), "");
  REQUIRE(admin.sent.size() == 1);
  CHECK(admin.sent[0].code == protocol::FlushLog::kCode);
  CHECK(admin.sent[0].notification);
  admin.notify_error = not_connected();
  check_failure(run(admin, {"flush_log"}), "ERROR: not connected\n");
  check_failure(run(admin, {"flush_log", "x"}), "neoctl: flush_log takes no argument\n");
}

TEST_CASE("connection failures and NOT_READY print ERROR: ...", "[neoctl]") {
  FakeAdmin admin;
  admin.fail(not_connected());
  check_failure(run(admin, {"print", "cluster"}), "ERROR: not connected\n");
  admin.fail(connection_closed());
  check_failure(run(admin, {"print", "cluster"}), "ERROR: Connection closed\n");
  admin.reply_error(errc::not_ready, "Not connected to a primary master.");
  check_failure(run(admin, {"print", "pt"}), "ERROR: Not connected to a primary master.\n");
  admin.reply_error(errc::denied, "");
  check_failure(run(admin, {"set", "cluster", "running"}), "\n");
  // Other errors are a crash (traceback) upstream.
  admin.reply_error(errc::protocol_error, "connection to master lost");
  check_failure(
      run(admin, {"check", "99:"}),
      "neoctl: unexpected answer to CheckReplicas: PROTOCOL_ERROR: connection to master lost\n");
  admin.ack("");
  check_failure(run(admin, {"print", "cluster"}),
                "neoctl: unexpected answer to AskClusterState: ACK\n");
  admin.reply(protocol::AnswerPrimary{});  // the wrong answer type does not decode
  admin.reply(protocol::Error{.code = 99, .message = "?"});
  CHECK(run(admin, {"print", "cluster"}).status == 1);
  check_failure(run(admin, {"print", "cluster"}),
                "neoctl: unexpected answer to AskClusterState: error 99: ?\n");
  CHECK(admin.all_replies_used());
}

TEST_CASE("unknown commands are refused before connecting", "[neoctl]") {
  FakeAdmin admin;
  check_failure(run(admin, {"foo"}), "invalid command: foo\n");
  check_failure(run(admin, {"print", "foo", "bar"}), "invalid command: print foo bar\n");
  check_failure(run(admin, {"--", "print", "cluster"}), "invalid command: -- print cluster\n");
  check_failure(run(admin, {"print"}), "invalid command: print\n");
  check_failure(run(admin, {"set"}), "invalid command: set\n");
  CHECK(admin.sent.empty());
  CHECK_FALSE(admin.address);
}

TEST_CASE("-a takes host[:port], IPv6 in brackets, port 9999 by default", "[neoctl]") {
  FakeAdmin admin;
  admin.reply(protocol::AnswerPrimary{.primary_nid = kM1});
  CHECK(run(admin, {"-a", "127.0.0.2", "print", "primary"}).status == 0);
  CHECK(admin.address == net::Address{"127.0.0.2", 9999});
  admin.reply(protocol::AnswerPrimary{.primary_nid = kM1});
  CHECK(run(admin, {"-a", "[::1]:5000", "print", "primary"}).status == 0);
  CHECK(admin.address == net::Address{"::1", 5000});
  admin.reply(protocol::AnswerPrimary{.primary_nid = kM1});
  CHECK(run(admin, {"--address", "localhost:24101", "print", "primary"}).status == 0);
  REQUIRE(admin.address);
  CHECK(admin.address->port == 24101);
  Outcome bad = run(admin, {"-a", "127.0.0.1:port", "print", "primary"});
  CHECK(bad.status == 1);
  CHECK(bad.err.starts_with("neoctl: invalid address '127.0.0.1:port'"));
}

TEST_CASE("TLS needs the three files", "[neoctl]") {
  FakeAdmin admin;
  Outcome outcome = run(admin, {"--ca", "ca.pem", "print", "cluster"});
  CHECK(outcome.status == 1);
  CHECK(outcome.err ==
        "neoctl: To enable encryption, 3 files must be provided: the CA certificate, and the"
        " certificate of this node with its private key.\n");
  outcome = run(admin, {"--ca", "/nonexistent/ca", "--cert", "/nonexistent/c", "--key",
                        "/nonexistent/k", "print", "cluster"});
  CHECK(outcome.status == 1);
  CHECK(outcome.err == "neoctl: cannot load the TLS files (--ca, --cert, --key)\n");
  CHECK(admin.sent.empty());
}
