// nodes/storage/checker.hpp
// Checker: compares this storage's replica of a partition with the other
// readable replicas (NEO/py neo/storage/checker.py; spec/flows.md 11). On
// CheckPartition from the master it connects to the node of every other
// readable cell (and to the reference node if one is given), identifies as
// a storage, asks AskCheckTIDRange in chunks of kCheckCount from min_tid,
// then AskCheckSerialRange, computes the same digests on its own database
// and compares: the nodes whose digests differ (from the reference's; all
// of them without a reference) are reported with NotifyPartitionCorrupted.
// One partition at a time, the others queued. A node whose connection is
// lost, or that answers an Error (CHECKING_ERROR), leaves the check.
// Socket-free: connections come from Host::open (StorageApp uses
// storage_link.hpp; tests give fake peers). Owned by StorageApp; io thread
// only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/net/peer.hpp"
#include "core/protocol/packets.hpp"
#include "nodes/storage/storage_state.hpp"

namespace neo::storage {

class Checker {
 public:
  static constexpr std::int64_t kCheckCount = 40000;  // records per request (NEO/py's CHECK_COUNT)

  struct Host {
    // Opens a connection to the storage at `address` and sends `request`;
    // `on_identified` gets its answer. The closure of the returned peer
    // must be reported with connection_lost().
    std::function<std::shared_ptr<net::Peer>(
        const protocol::Address& address, const protocol::RequestIdentification& request,
        net::AnswerCallback<protocol::AcceptIdentification> on_identified)>
        open{};
    // Our identification to other storages of the cluster.
    std::function<protocol::RequestIdentification()> identification{};
    std::function<void(const protocol::NotifyPartitionCorrupted&)> notify_master{};
    // A database failure (fatal for the node).
    std::function<void(const std::string& what)> fatal{};
  };

  // `check_count`: records per request (tests use small ones).
  Checker(StorageState& state, Host host, std::int64_t check_count = kCheckCount);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // CheckPartition: queued; started at once if no check is in progress.
  void check(const protocol::CheckPartition& p);
  // A connection given by Host::open closed.
  void connection_lost(const net::Peer& peer);
  // The master is lost (or operation stopped): the queue is dropped, the
  // connections closed.
  void reset();
  // The partition being checked, if any.
  std::optional<std::uint32_t> current() const;

  // One answer (or our own digests) of the current range, comparable.
  struct Digest {
    std::string key;  // the encoded answer: equal digests, equal keys
    std::int64_t count = 0;
    Tid max_tid{};
    Oid max_oid{};  // serial range only
    bool operator==(const Digest& other) const { return key == other.key; }
  };

 private:
  struct Link {
    std::shared_ptr<net::Peer> peer;
    std::optional<NodeId> nid;  // nil for a node of the upstream cluster
    bool identified = false;
    std::optional<Digest> answer{};
  };

  void next_partition();
  // Connects to the replicas (and the reference) of `job`; "" or why not.
  std::string start_links(const protocol::CheckPartition& job, std::uint32_t partition);
  void open_link(const protocol::Address& address, std::optional<NodeId> nid,
                 const protocol::RequestIdentification& request);
  void begin();
  void next_range();
  void ask(Link& link);
  Result<Digest> local_digest();
  void answered(const net::Peer* peer, std::uint64_t round, Result<Digest> digest,
                std::string_view message);
  void identified(const net::Peer* peer, bool accepted);
  void evaluate();
  void report_mismatch();
  void progress(const Digest& agreed);
  void drop(const net::Peer* peer, std::string_view why);
  Link* find(const net::Peer* peer);
  std::size_t participants() const { return links_.size() + (local_active_ ? 1 : 0); }
  void close_links();

  StorageState& state_;
  Host host_;
  std::int64_t check_count_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // callbacks hold a weak_ptr
  std::deque<protocol::CheckPartition> queue_;
  std::optional<protocol::CheckPartition> job_;  // the partition being checked
  std::vector<Link> links_;
  bool started_ = false;      // the first range was asked
  std::uint64_t round_ = 0;   // bumped at each range: older answers are ignored
  bool local_active_ = true;  // our own replica still takes part
  std::optional<Digest> local_;
  bool source_local_ = false;               // the reference is us
  const net::Peer* source_peer_ = nullptr;  // the reference's link
  Tid next_tid_{};
  std::optional<Oid> next_oid_;  // set: the serial ranges
};

}  // namespace neo::storage
