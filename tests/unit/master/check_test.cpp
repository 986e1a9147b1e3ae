// The master's part of checking replicas (NEO/py checkReplicas and
// notifyPartitionCorrupted): which storage gets CheckPartition, with which
// reference and TID range; the refusals; the corruption report logged.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <catch2/catch.hpp>
#include <sstream>

#include "tests/support/log_capture.hpp"
#include "tests/unit/master/master_fixture.hpp"

namespace protocol = neo::protocol;
using neo::errc;
using neo::NodeId;
using neo::Tid;
using neo::master::test::FakePeer;
using neo::master::test::MasterFixture;
using protocol::NodeType;

namespace {
const NodeId S1{1}, S2{2};

std::pair<std::int64_t, std::string> last_error(const FakePeer& peer) {
  std::optional<protocol::Error> error = peer.last<protocol::Error>();
  REQUIRE(error);
  return {error->code, error->message};
}
std::pair<std::int64_t, std::string> answer(errc code, std::string message) {
  return {static_cast<std::int64_t>(code), std::move(message)};
}
protocol::CheckReplicas all_partitions(std::optional<NodeId> source = {}) {
  protocol::CheckReplicas check;
  for (std::int64_t p = 0; p < 4; ++p) check.partition_dict.emplace_back(p, source);
  return check;
}
std::vector<protocol::CheckPartition> checks(const FakePeer& a, const FakePeer& b) {
  std::vector<protocol::CheckPartition> all = a.all<protocol::CheckPartition>();
  for (auto& c : b.all<protocol::CheckPartition>()) all.push_back(c);
  return all;
}

}  // namespace

TEST_CASE("CheckReplicas sends CheckPartition to one storage per partition", "[master]") {
  MasterFixture m(MasterFixture::Options{.replicas = 1});
  auto storages = m.run(2);
  auto admin = m.connect(NodeType::Admin, 21020);
  m.send(*admin, all_partitions());
  CHECK(last_error(*admin) == answer(errc::ack, ""));
  const auto sent = checks(*storages[0], *storages[1]);
  REQUIRE(sent.size() == 4);
  // NEO/py's choice: the checks go to a node already chosen, here always the same one.
  CHECK((storages[0]->all<protocol::CheckPartition>().empty() ||
         storages[1]->all<protocol::CheckPartition>().empty()));
  for (std::size_t i = 0; i < sent.size(); ++i) {
    CHECK(sent[i].partition == static_cast<std::int64_t>(i));
    CHECK(sent[i].source == protocol::CheckSource{});  // ("", nil): no reference
    CHECK(sent[i].min_tid == Tid{0});
    CHECK(sent[i].max_tid == m.master->last_transaction());  // default: the last TID
  }

  storages[0]->clear();
  storages[1]->clear();
  protocol::CheckReplicas one;
  one.partition_dict = {{2, S1}};
  one.min_tid = Tid{5};
  one.max_tid = Tid{9};
  m.send(*admin, one);
  CHECK(last_error(*admin) == answer(errc::ack, ""));
  auto check = checks(*storages[0], *storages[1]);
  REQUIRE(check.size() == 1);
  CHECK(check[0].partition == 2);
  CHECK(check[0].source.upstream_name.empty());
  CHECK(check[0].source.address == protocol::Address{"127.0.0.1", 21011});  // S1's
  CHECK(check[0].min_tid == Tid{5});
  CHECK(check[0].max_tid == Tid{9});
}

TEST_CASE("CheckReplicas refusals, and nothing to check", "[master]") {
  MasterFixture m(MasterFixture::Options{.replicas = 1});
  auto storages = m.run(2);
  auto admin = m.connect(NodeType::Admin, 21020);
  protocol::CheckReplicas bad;
  bad.partition_dict = {{0, std::nullopt}, {4, std::nullopt}};
  m.send(*admin, bad);
  CHECK(last_error(*admin) == answer(errc::protocol_error, "invalid partition table offset"));
  bad.partition_dict = {{-1, std::nullopt}};
  m.send(*admin, bad);
  CHECK(last_error(*admin) == answer(errc::protocol_error, "invalid partition table offset"));
  m.send(*admin, all_partitions(NodeId{7}));
  CHECK(last_error(*admin) == answer(errc::denied, "invalid storage node S7"));
  CHECK(checks(*storages[0], *storages[1]).empty());  // nothing sent before the refusal

  protocol::CheckReplicas reversed = all_partitions();
  reversed.min_tid = Tid{9};
  reversed.max_tid = Tid{8};
  m.send(*admin, reversed);
  CHECK(last_error(*admin) == answer(errc::ack, ""));
  CHECK(checks(*storages[0], *storages[1]).empty());
}

TEST_CASE("CheckReplicas skips partitions with a single readable cell", "[master]") {
  MasterFixture m;  // no replica
  auto storages = m.run(1);
  auto admin = m.connect(NodeType::Admin, 21020);
  m.send(*admin, all_partitions());
  CHECK(last_error(*admin) == answer(errc::ack, ""));
  CHECK(storages[0]->all<protocol::CheckPartition>().empty());
}

TEST_CASE("NotifyPartitionCorrupted is logged with the node ids", "[master]") {
  MasterFixture m(MasterFixture::Options{.replicas = 1});
  auto storages = m.run(2);
  neo::test::LogCapture log;
  m.send(*storages[0], protocol::NotifyPartitionCorrupted{3, {S1, S2}});
  CHECK(log.out.str().find("Partition 3 corrupted in: S1, S2") != std::string::npos);
  CHECK_FALSE(storages[0]->aborted);
  CHECK(m.master->pt().cells(3, true).size() == 2);  // no state change
}
