// neoctl check --wait against a scripted admin and scripted storages (no
// sockets): what is asked of whom, the output and the exit status.
#include <catch2/catch.hpp>
#include <map>

#include "cli/neoctl/commands/check.hpp"
#include "tests/unit/neoctl/fake_admin.hpp"

using namespace neo;
using namespace neo::neoctl;
using neo::neoctl::test::FakeAdmin;
using neo::neoctl::test::FakeAdminLink;
using neo::neoctl::test::Outcome;
using protocol::CellState;
using protocol::NodeState;

namespace {

const NodeId kS1{1}, kS2{2}, kS3{3};
constexpr Tid kLast{0x3000};

// Storages answering the digests of their partitions (one chunk each).
class FakeStorages final : public StorageLinks {
 public:
  struct Asked {
    NodeId nid;
    std::uint16_t code;
    std::string args;
  };
  struct Data {
    protocol::AnswerCheckTIDRange tids{3, "t", Tid{0x2000}};
    protocol::AnswerCheckSerialRange objects{5, "t", Tid{0x2000}, "o", Oid{9}};
  };

  std::vector<Result<protocol::Frame>> ask_all(std::span<const StorageTarget> targets,
                                               std::uint16_t code, std::uint16_t,
                                               const std::string& args) override {
    std::vector<Result<protocol::Frame>> answers;
    for (const StorageTarget& target : targets) {
      asked.push_back({target.nid, code, args});
      if (auto failure = failures.find(target.nid); failure != failures.end()) {
        answers.push_back(failure->second);
        continue;
      }
      std::int64_t partition = 0;
      const Data& data = [&]() -> const Data& {
        if (code == protocol::AskCheckTIDRange::kCode) {
          partition = protocol::decode_args<protocol::AskCheckTIDRange>(args)->partition;
        } else {
          partition = protocol::decode_args<protocol::AskCheckSerialRange>(args)->partition;
        }
        auto it = data_.find({target.nid, partition});
        return it == data_.end() ? intact_ : it->second;
      }();
      answers.push_back(code == protocol::AskCheckTIDRange::kCode ? frame(data.tids)
                                                                  : frame(data.objects));
    }
    return answers;
  }

  Data& data(NodeId nid, std::int64_t partition) { return data_[{nid, partition}]; }

  std::vector<Asked> asked;
  std::map<NodeId, Result<protocol::Frame>> failures;
  std::string cluster;  // given to the factory

 private:
  template <class A>
  static protocol::Frame frame(const A& answer) {
    return {0, A::kCode, protocol::encode_args(answer)};
  }
  Data intact_;
  std::map<std::pair<NodeId, std::int64_t>, Data> data_;
};

protocol::NodeInfo storage(NodeId nid, NodeState state = NodeState::Running) {
  return {.node_type = protocol::NodeType::Storage,
          .address = protocol::Address{"127.0.0.1", static_cast<std::uint16_t>(20000 + nid.value)},
          .nid = nid,
          .state = state,
          .id_timestamp = 1.0};
}

// The admin's answers: the table, the storages, the last TID.
void script_admin(FakeAdmin& admin, protocol::RowList rows,
                  std::vector<protocol::NodeInfo> nodes = {storage(kS1), storage(kS2)}) {
  admin.reply(protocol::AnswerPartitionList{.ptid = 1, .num_replicas = 1, .row_list = rows});
  admin.reply(protocol::AnswerNodeList{.node_list = std::move(nodes)});
  admin.reply(protocol::AnswerRecovery{.ptid = 1, .backup_tid = {}, .truncate_tid = {}});
  admin.reply(protocol::AnswerLastIDs{.last_tid = kLast, .last_oid = Oid{9}, .first_tid = {}});
}

Outcome run_check(FakeAdmin& admin, FakeStorages& storages, std::vector<std::string> command) {
  std::ostringstream out, err;
  Context ctx(out, err, [&] { return std::make_unique<FakeAdminLink>(admin); });
  ctx.set_storage_links([&](const std::string& cluster) {
    storages.cluster = cluster;
    struct Forward final : StorageLinks {
      explicit Forward(FakeStorages& s) : s(s) {}
      std::vector<Result<protocol::Frame>> ask_all(std::span<const StorageTarget> t,
                                                   std::uint16_t c, std::uint16_t a,
                                                   const std::string& args) override {
        return s.ask_all(t, c, a, args);
      }
      FakeStorages& s;
    };
    return std::make_unique<Forward>(storages);
  });
  command.insert(command.begin(), "check");
  Outcome outcome;
  outcome.status = run_command(ctx, command);
  outcome.out = out.str();
  outcome.err = err.str();
  return outcome;
}

const std::vector<protocol::CellInfo> kTwoUpToDate = {{kS1, CellState::UpToDate},
                                                      {kS2, CellState::UpToDate}};

}  // namespace

TEST_CASE("check --wait: intact replicas, compared up to the last TID", "[neoctl]") {
  FakeAdmin admin;
  FakeStorages storages;
  script_admin(admin, protocol::RowList(2, kTwoUpToDate));
  const Outcome outcome = run_check(admin, storages, {"--wait", "--cluster", "neo1", "0:", "1:"});
  CHECK(outcome.err == "");
  CHECK(outcome.out == "all 2 partitions checked: replicas identical\n");
  CHECK(outcome.status == 0);
  CHECK(admin.all_replies_used());
  CHECK(storages.cluster == "neo1");
  // Per partition: both replicas, transactions then objects.
  REQUIRE(storages.asked.size() == 8);
  const auto& first = storages.asked[0];
  CHECK(first.nid == kS1);
  REQUIRE(first.code == protocol::AskCheckTIDRange::kCode);
  auto tids = *protocol::decode_args<protocol::AskCheckTIDRange>(first.args);
  CHECK(tids.partition == 0);
  CHECK(tids.length == 40000);
  CHECK(tids.min_tid == Tid{0});
  CHECK(tids.max_tid == kLast);
  CHECK(storages.asked[1].nid == kS2);
  CHECK(storages.asked[2].code == protocol::AskCheckSerialRange::kCode);
  tids = *protocol::decode_args<protocol::AskCheckTIDRange>(storages.asked[4].args);
  CHECK(tids.partition == 1);
}

TEST_CASE("check --wait: a damaged replica is named with its partition, status 3", "[neoctl]") {
  FakeAdmin admin;
  FakeStorages storages;
  storages.data(kS2, 1).objects.oid_checksum = "damaged";
  // ":" asks the table once more; max_tid given: the last TID is not asked.
  admin.reply(protocol::AnswerPartitionList{.ptid = 1, .row_list = protocol::RowList(3)});
  admin.reply(protocol::AnswerPartitionList{
      .ptid = 1, .num_replicas = 1, .row_list = protocol::RowList(3, kTwoUpToDate)});
  admin.reply(protocol::AnswerNodeList{.node_list = {storage(kS1), storage(kS2)}});
  const Outcome outcome =
      run_check(admin, storages, {"-c", "neo1", "--wait", ":", "tid:0x10", "tid:0x2000"});
  CHECK(outcome.err == "");
  CHECK(outcome.out ==
        "partition 1: S2 differs from S1 (objects in tids 0x0000000000000010-0x0000000000002000)\n"
        "1 of 3 partitions differs\n");
  CHECK(outcome.status == kReplicasDiffer);
  CHECK(admin.all_replies_used());
  CHECK(admin.sent.size() == 3);

  // With S2 as reference, S1 is the one named.
  FakeAdmin again;
  script_admin(again, protocol::RowList(3, kTwoUpToDate));
  const Outcome reversed = run_check(again, storages, {"--cluster=neo1", "--wait", "1:S2"});
  CHECK(reversed.out ==
        "partition 1: S1 differs from S2 (objects in tids 0x0000000000000000-0x0000000000003000)\n"
        "1 of 1 partitions differs\n");
  CHECK(reversed.status == kReplicasDiffer);
}

TEST_CASE("check --wait: out-of-date cells are skipped, unreachable nodes reported", "[neoctl]") {
  FakeAdmin admin;
  FakeStorages storages;
  const std::vector<protocol::CellInfo> cells = {
      {kS1, CellState::UpToDate}, {kS2, CellState::OutOfDate}, {kS3, CellState::Feeding}};
  script_admin(admin, protocol::RowList(2, cells),
               {storage(kS1), storage(kS2), storage(kS3, NodeState::Running)});
  Outcome outcome = run_check(admin, storages, {"--wait", "--cluster", "c", "0:", "1:"});
  CHECK(outcome.out == "all 2 partitions checked: replicas identical\n");
  CHECK(outcome.status == 0);
  for (const auto& asked : storages.asked) CHECK(asked.nid != kS2);

  // S3 closes its connection: partition not checked, status 1.
  storages.failures.emplace(kS3, Result<protocol::Frame>(connection_closed()));
  script_admin(admin, protocol::RowList(1, cells), {storage(kS1), storage(kS2), storage(kS3)});
  outcome = run_check(admin, storages, {"--wait", "--cluster", "c", "0:"});
  CHECK(outcome.out == "");
  CHECK(outcome.err ==
        "partition 0: S3 not checked: connection closed\n"
        "1 of 1 partitions was not checked\n");
  CHECK(outcome.status == 1);

  // A storage that is down; a single readable replica is nothing to compare.
  script_admin(admin, protocol::RowList(2, kTwoUpToDate),
               {storage(kS1), storage(kS2, NodeState::Down)});
  outcome = run_check(admin, storages, {"--wait", "--cluster", "c", "0:"});
  CHECK(outcome.err ==
        "partition 0: S2 not checked: not running\n"
        "1 of 1 partitions was not checked\n");
  CHECK(outcome.status == 1);
  script_admin(admin, protocol::RowList(2, {{kS1, CellState::UpToDate}}));
  outcome = run_check(admin, storages, {"--wait", "--cluster", "c", "0:", "1:"});
  CHECK(outcome.err == "");
  CHECK(outcome.out ==
        "partition 0: nothing to compare (a single readable replica: S1)\n"
        "partition 1: nothing to compare (a single readable replica: S1)\n"
        "0 of 2 partitions checked: replicas identical (2 with nothing to compare)\n");
  CHECK(outcome.status == 0);
}

TEST_CASE("check --wait: an error answer; refused identification", "[neoctl]") {
  FakeAdmin admin;
  FakeStorages storages;
  storages.failures.emplace(
      kS2, protocol::Frame{0, protocol::Error::kCode,
                           protocol::encode_args(protocol::Error{
                               .code = static_cast<std::int64_t>(errc::protocol_error),
                               .message = "invalid cluster name"})});
  script_admin(admin, protocol::RowList(1, kTwoUpToDate));
  const Outcome outcome = run_check(admin, storages, {"--wait", "--cluster", "x", "0:"});
  CHECK(outcome.err ==
        "partition 0: S2 not checked: PROTOCOL_ERROR: invalid cluster name\n"
        "1 of 1 partitions was not checked\n");
  CHECK(outcome.status == 1);
}

TEST_CASE("check --wait: bad uses", "[neoctl]") {
  FakeAdmin admin;
  FakeStorages storages;
  auto failure = [&](std::vector<std::string> command, const std::string& err) {
    const Outcome outcome = run_check(admin, storages, std::move(command));
    CHECK(outcome.out == "");
    CHECK(outcome.err == err);
    CHECK(outcome.status == 1);
  };
  const std::string need =
      "neoctl: check: --wait needs --cluster NAME (the storages check the cluster name)\n";
  failure({"--wait", "0:"}, need);
  failure({"--cluster", "c", "0:"}, need);
  failure({"--wait", "--cluster"}, "neoctl: check: --cluster needs a cluster name\n");
  failure({"--wait", "--cluster="}, "neoctl: check: empty cluster name\n");
  failure({"--wait", "-c", "c", "tid:1"},
          "neoctl: check --wait: no partition given (':' checks them all)\n");
  failure({"--wait", "-c", "c", "0:", "x"}, "neoctl: invalid TID 'x'\n");
  CHECK(admin.sent.empty());
  script_admin(admin, protocol::RowList(1, kTwoUpToDate));
  failure({"--wait", "-c", "c", "0:", "tid:0x5000"},
          "neoctl: check --wait: nothing to check: min_tid 0x0000000000005000 > max_tid "
          "0x0000000000003000\n");
  CHECK(storages.asked.empty());
}
