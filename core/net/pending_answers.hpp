// The requests a connection has sent and whose answer it still waits for,
// keyed by msg id, each with the answer code it expects. Answers may come
// in any order; `Error` (0x8000) is an acceptable answer to any request.
// Socket-free, owned by one Connection; use from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "core/protocol/frame_reader.hpp"
#include "core/util/error.hpp"

namespace neo::net {

// Receives the answer frame (the expected answer or an Error) or a local
// failure such as errc::connection_closed. Called exactly once.
using RawAnswerCallback = std::function<void(Result<protocol::Frame>)>;

class PendingAnswers {
 public:
  enum class Match {
    kExpected,    // the request was pending and the code fits; entry removed
    kNotPending,  // no request with this msg id
    kWrongType,   // pending, but expects another answer code; entry kept
  };

  // Registers a request. False (and nothing registered) if `msg_id` is
  // already pending, which can only happen after 2^32 ids.
  bool add(std::uint32_t msg_id, std::uint16_t answer_code, RawAnswerCallback callback);

  // Matches an incoming answer; on kExpected, `callback` receives the
  // request's callback for the caller to invoke.
  Match take(std::uint32_t msg_id, std::uint16_t code, RawAnswerCallback& callback);

  // The answer code expected for `msg_id`, or 0 if it is not pending.
  std::uint16_t expected(std::uint32_t msg_id) const;

  // Removes and returns every callback (connection loss), oldest id first.
  std::vector<RawAnswerCallback> take_all();

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  struct Entry {
    std::uint16_t answer_code;
    std::uint64_t order;  // registration order, for take_all()
    RawAnswerCallback callback;
  };
  std::unordered_map<std::uint32_t, Entry> entries_;
  std::uint64_t next_order_ = 0;
};

}  // namespace neo::net
