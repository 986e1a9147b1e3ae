#include "cli/neostress/probe.hpp"

#include <algorithm>

#include "cli/neoctl/admin_link.hpp"
#include "core/net/address.hpp"
#include "core/protocol/codec.hpp"

namespace neo::stress {
namespace {

using protocol::CellState;
using protocol::NodeState;
using protocol::NodeType;

template <class P>
Result<typename P::Answer> ask(neoctl::AdminLink& link, const P& packet) {
  using A = typename P::Answer;
  auto frame = link.ask(P::kCode, A::kCode, protocol::encode_args(packet));
  if (!frame) return frame.error();
  if (frame->code != A::kCode) return make_error_code(errc::not_ready);
  return protocol::decode_args<A>(frame->args);
}

Result<View> take_view(neoctl::AdminLink& link) {
  View view;
  auto state = ask(link, protocol::AskClusterState{});
  if (!state) return state.error();
  view.state = state->state;
  auto primary = ask(link, protocol::AskPrimary{});
  if (primary) view.primary = primary->primary_nid;
  auto nodes = ask(link, protocol::AskNodeList{});
  if (!nodes) return nodes.error();
  view.nodes = std::move(nodes->node_list);
  auto pt = ask(link, protocol::AskPartitionList{});
  if (!pt) return pt.error();
  view.rows = std::move(pt->row_list);
  view.replicas = pt->num_replicas;
  view.taken = std::chrono::steady_clock::now();
  return view;
}

bool readable(CellState state) {
  return state == CellState::UpToDate || state == CellState::Feeding;
}

}  // namespace

std::size_t View::running_storages() const {
  return std::count_if(nodes.begin(), nodes.end(), [](const protocol::NodeInfo& node) {
    return node.node_type == NodeType::Storage && node.state == NodeState::Running;
  });
}

bool View::healthy(std::size_t storages) const {
  if (state != protocol::ClusterState::Running || !primary || rows.empty()) return false;
  if (running_storages() != storages) return false;
  for (const auto& row : rows)
    for (const auto& cell : row)
      if (cell.state != CellState::UpToDate) return false;
  return true;
}

bool View::can_lose(NodeId storage, const std::vector<NodeId>& impaired) const {
  auto usable = [&](NodeId nid) {
    if (nid == storage || std::find(impaired.begin(), impaired.end(), nid) != impaired.end())
      return false;
    return std::any_of(nodes.begin(), nodes.end(), [&](const protocol::NodeInfo& node) {
      return node.nid == nid && node.state == NodeState::Running;
    });
  };
  if (rows.empty()) return false;
  for (const auto& row : rows) {
    const bool covered = std::any_of(row.begin(), row.end(), [&](const protocol::CellInfo& c) {
      return readable(c.state) && usable(c.nid);
    });
    if (!covered) return false;
  }
  return true;
}

std::optional<std::uint16_t> View::port_of(NodeId nid) const {
  for (const auto& node : nodes)
    if (node.nid == nid && node.address) return node.address->port;
  return std::nullopt;
}

std::optional<NodeId> View::nid_of_port(std::uint16_t port) const {
  for (const auto& node : nodes)
    if (node.address && node.address->port == port && node.nid) return node.nid;
  return std::nullopt;
}

std::optional<double> View::identified_at(NodeId nid) const {
  for (const auto& node : nodes)
    if (node.nid == nid) return node.id_timestamp;
  return std::nullopt;
}

std::string View::summary() const {
  std::size_t storages = 0, running = 0, cells = 0, up = 0;
  for (const auto& node : nodes)
    if (node.node_type == NodeType::Storage)
      ++storages, running += node.state == NodeState::Running;
  for (const auto& row : rows)
    for (const auto& cell : row) ++cells, up += cell.state == CellState::UpToDate;
  return std::string(state ? protocol::to_string(*state) : "None") + ", " +
         std::to_string(running) + "/" + std::to_string(storages) + " storages running, " +
         std::to_string(up) + "/" + std::to_string(cells) + " cells up to date, primary " +
         to_string(primary);
}

Probe::Probe(std::string admin_address, std::chrono::milliseconds period)
    : address_(std::move(admin_address)), period_(period), thread_([this] { loop(); }) {}

Probe::~Probe() {
  stop_ = true;
  thread_.join();
}

std::optional<View> Probe::view() const {
  std::lock_guard lock(mutex_);
  return view_;
}

std::optional<View> Probe::next(std::chrono::steady_clock::time_point after,
                                std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto v = view(); v && v->taken > after) return v;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void Probe::loop() {
  auto address = net::parse_address(address_);
  std::unique_ptr<neoctl::AdminLink> link;
  while (!stop_) {
    if (!link && address) link = neoctl::connect_admin(*address, {});
    if (link) {
      auto view = take_view(*link);
      if (view) {
        std::lock_guard lock(mutex_);
        view_ = std::move(*view);
      } else if (view.error() != errc::not_ready) {
        link.reset();  // reconnects at the next turn
      }
    }
    std::this_thread::sleep_for(period_);
  }
}

}  // namespace neo::stress
