#include "nodes/master/master.hpp"

#include "core/net/dispatch.hpp"

namespace neo::master {

Master::Master(MasterConfig config, Hooks hooks, node::NodeManager::Clock clock,
               TransactionManager::Clock tid_clock)
    : state_(std::make_shared<MasterState>(std::move(config), std::move(hooks), std::move(clock),
                                           std::move(tid_clock))) {}

void Master::on_packet(net::Peer& peer, const protocol::Frame& frame) {
  using Route = MasterState::Route;
  peer.set_msg_id(frame.msg_id);  // as net::Connection does (tests call this directly)
  switch (state_->route(peer)) {
    case Route::Identification: net::dispatch(identification_, peer, frame); break;
    case Route::SecondaryIdentification:
      net::dispatch(secondary_identification_, peer, frame);
      break;
    case Route::Election: net::dispatch(election_, peer, frame); break;
    case Route::Primary: net::dispatch(primary_, peer, frame); break;
    case Route::Secondary: net::dispatch(secondary_, peer, frame); break;
    case Route::Recovery: net::dispatch(recovery_, peer, frame); break;
    case Route::Verification: net::dispatch(verification_, peer, frame); break;
    case Route::StorageService: net::dispatch(storage_service_, peer, frame); break;
    case Route::Client: net::dispatch(client_, peer, frame); break;
    case Route::ReadOnlyClient: net::dispatch(client_read_only_, peer, frame); break;
    case Route::BackupClient: net::dispatch(client_backup_, peer, frame); break;
    case Route::Upstream: net::dispatch(upstream_, peer, frame); break;
    case Route::Administration: net::dispatch(administration_, peer, frame); break;
  }
}

}  // namespace neo::master
