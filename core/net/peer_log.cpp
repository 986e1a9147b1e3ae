#include "core/net/detail/peer_log.hpp"

#include <unordered_map>

#include "core/log/throttle.hpp"

namespace neo::net::detail {
namespace {

constexpr std::size_t kMaxHosts = 1024;

}  // namespace

bool allow_peer_line(PeerLine kind, const Peer& peer, std::string& suffix) {
  suffix.clear();
  if (peer.nid()) return true;
  thread_local std::unordered_map<std::string, log::Throttle> hosts;
  const std::string& address = peer.address();
  std::string host = address.substr(0, address.rfind(':'));
  host += static_cast<char>('0' + static_cast<int>(kind));
  auto it = hosts.find(host);
  if (it == hosts.end()) {
    if (hosts.size() >= kMaxHosts) hosts.clear();  // a flood from many hosts: start over
    it = hosts.emplace(std::move(host), log::Throttle(kLinePeriod, kLineBurst)).first;
  }
  return it->second.allow(suffix);
}

}  // namespace neo::net::detail
