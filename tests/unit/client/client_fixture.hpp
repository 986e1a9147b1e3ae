// tests/unit/client/client_fixture.hpp
// A ClientState connected to a fake primary master (M1) that announced two
// running storages (S1, S2) and one partition with a cell on each; the
// storages are FakePeers opened through a FakeEnv, as Client::Core would
// open connections. Single-threaded, no sockets, a fake clock.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/protocol/packets.hpp"
#include "core/util/ids.hpp"
#include "nodes/client/client_state.hpp"
#include "tests/support/fake_peer.hpp"

namespace neo::test {

inline const NodeId kM1 = make_node_id(0, 1);
inline const NodeId kS1 = make_node_id(1, 1);
inline const NodeId kS2 = make_node_id(1, 2);
inline const NodeId kC1 = make_node_id(2, 1);

// The storage connections ClientState asks for: FakePeers that, when
// closed, tell the state as a net::Connection's handler would.
class FakeEnv : public client::ClientEnv {
 public:
  std::shared_ptr<net::Peer> connect_storage(NodeId nid,
                                             const protocol::Address& address) override {
    connects.push_back(nid);
    auto peer = std::make_shared<FakePeer>(address.host + ":" + std::to_string(address.port));
    peer->on_close = [this, nid](FakePeer& closed) {
      if (state) state->storage_closed(nid, closed);
    };
    storages[nid] = peer;
    return peer;
  }
  Clock::time_point now() const override { return time; }

  client::ClientState* state = nullptr;
  std::map<NodeId, std::shared_ptr<FakePeer>> storages;  // the last connection to each
  std::vector<NodeId> connects;                          // in order
  Clock::time_point time{};
};

// What a callback of ClientState received.
template <class T>
struct Captured {
  std::optional<Result<T>> value;
  client::Reply<T> reply() {
    return [this](Result<T> result) { value = std::move(result); };
  }
};

struct CapturedVote {
  std::optional<std::error_code> ec;
  std::vector<client::Conflict> conflicts;
  client::VoteReply reply() {
    return [this](std::error_code e, std::vector<client::Conflict> found) {
      ec = e;
      conflicts = std::move(found);
    };
  }
};

class ClientFixture {
 public:
  explicit ClientFixture(Tid last_tid = Tid{100})
      : state({.cluster = "test",
               .read_only = false,
               .compress = false,
               .cache_bytes = 1 << 20,
               .seed = 1},
              env) {
    env.state = &state;
    connect_master(last_tid);
  }

  // A new primary master: identification, AskLastTransaction answered with
  // `last_tid`, then the node list and the partition table.
  void connect_master(Tid last_tid) {
    master = std::make_shared<FakePeer>("127.0.0.1:10000");
    master->on_close = [this](FakePeer& closed) { state.master_closed(closed); };
    state.master_identified(master,
                            {.node_type = protocol::NodeType::Master, .nid = kM1, .your_nid = kC1});
    master->reply<protocol::AskLastTransaction>(protocol::AnswerLastTransaction{last_tid});
    announce_nodes(protocol::NodeState::Running, protocol::NodeState::Running);
    from_master(protocol::SendPartitionTable{.ptid = 1,
                                             .num_replicas = 1,
                                             .row_list = {{{kS1, protocol::CellState::UpToDate},
                                                           {kS2, protocol::CellState::UpToDate}}}});
  }

  // NotifyNodeInformation: the master, S1 and S2 in these states.
  void announce_nodes(protocol::NodeState s1, protocol::NodeState s2) {
    using protocol::NodeInfo;
    using protocol::NodeType;
    from_master(protocol::NotifyNodeInformation{
        .timestamp = ++timestamp_,
        .node_list = {
            NodeInfo{NodeType::Master, protocol::Address{"127.0.0.1", 10000}, kM1,
                     protocol::NodeState::Running, std::nullopt},
            NodeInfo{NodeType::Storage, protocol::Address{"127.0.0.1", 20001}, kS1, s1, 1.0},
            NodeInfo{NodeType::Storage, protocol::Address{"127.0.0.1", 20002}, kS2, s2, 1.0},
            NodeInfo{NodeType::Client, std::nullopt, kC1, protocol::NodeState::Running, 2.0}}});
  }

  // Packets received, as a net::Connection delivers them (msg id set).
  void master_frame(const protocol::Frame& frame) {
    master->set_msg_id(frame.msg_id);
    state.master_packet(*master, frame);
  }
  void storage_frame(NodeId nid, const protocol::Frame& frame) {
    storage(nid).set_msg_id(frame.msg_id);
    state.storage_packet(nid, storage(nid), frame);
  }
  template <class P>
  void from_master(const P& packet) {
    master_frame(frame_of(packet));
  }
  template <class P>
  void from_storage(NodeId nid, const P& packet) {
    storage_frame(nid, frame_of(packet));
  }
  FakePeer& storage(NodeId nid) { return *env.storages.at(nid); }

  // Accepts the identification every storage connection is waiting for.
  void accept_storages() {
    for (auto& [nid, peer] : env.storages)
      peer->reply<protocol::RequestIdentification>(
          {.node_type = protocol::NodeType::Storage, .nid = nid, .your_nid = kC1});
  }

  // tpc_begin, the master giving `ttid`.
  Tid begin(Tid ttid, client::Metadata metadata = {"user", "description", ""}) {
    Captured<Tid> begun;
    state.begin(std::move(metadata), std::nullopt, begun.reply());
    master->reply<protocol::AskBeginTransaction>(protocol::AnswerBeginTransaction{ttid});
    return begun.value.value().value();
  }

  // Answers every unanswered request of type P on both storages.
  template <class P>
  int answer_all(const typename P::Answer& answer) {
    int answered = 0;
    for (auto& [nid, peer] : env.storages)
      while (peer->template reply<P>(answer)) ++answered;
    return answered;
  }

  FakeEnv env;
  client::ClientState state;
  std::shared_ptr<FakePeer> master;

 private:
  double timestamp_ = 0;
};

}  // namespace neo::test
