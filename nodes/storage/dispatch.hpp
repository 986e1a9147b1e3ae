// nodes/storage/dispatch.hpp
// The storage's handlers use net::dispatch (core/net/dispatch.hpp); and
// answers that wait for a commit.
#pragma once

#include <utility>

#include "core/net/dispatch.hpp"
#include "nodes/storage/transaction_manager.hpp"

namespace neo::storage {

using net::dispatch;

// Answers the request being handled once the votes and locks written so
// far are committed (TransactionManager::when_durable); dropped if the
// peer is gone by then.
template <class Answer>
void answer_when_durable(TransactionManager& tm, net::Peer& peer, Answer answer) {
  tm.when_durable(
      [weak = peer.weak_from_this(), msg_id = peer.msg_id(), answer = std::move(answer)] {
        if (auto peer = weak.lock(); peer && !peer->closed()) peer->answer(msg_id, answer);
      });
}

}  // namespace neo::storage
