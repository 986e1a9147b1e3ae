// ClientState: pack (spec/flows.md section 6). A pack is a transaction that
// stores no object: its metadata (AskStoreTransaction, at the vote) and its
// finish (AskFinishTransaction) carry the pack order, so it goes through the
// usual begin, vote and finish. The storages then remove, in the background,
// the revisions that the pack TID made unreachable; WaitForPack waits for
// them.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "nodes/client/client_state.hpp"
#include "nodes/client/client_txn.hpp"

namespace neo::client {

using namespace protocol;

namespace {

// The description NEO/py gives a pack transaction.
constexpr const char* kPackDescription = "IStorage.pack";

}  // namespace

void ClientState::pack(Tid tid, bool wait, Done done) {
  // The master refuses a pack at ZERO_TID and closes the connection: refuse
  // it here, without losing the master (nor the transactions in progress).
  if (tid == kZeroTid) return done(make_error_code(errc::invalid_argument));
  const Tid pack_tid = std::min(tid, last_tid_.value_or(kZeroTid));
  if (pack_tid == kZeroTid) return done({});  // nothing committed yet: nothing to pack
  begin({.user = "", .description = kPackDescription, .extension = ""}, std::nullopt,
        [this, pack_tid, wait, done](Result<Tid> ttid) {
          if (!ttid) return done(ttid.error());
          txn(*ttid)->pack = PackRequest{.oids = std::nullopt, .pack_tid = pack_tid};
          vote(*ttid, [this, ttid = *ttid, pack_tid, wait, done](std::error_code ec,
                                                                 std::vector<Conflict>) {
            if (ec) {
              abort(ttid);
              return done(ec);
            }
            finish(ttid, [this, pack_tid, wait, done](Result<Tid> pack_id) {
              if (!pack_id) return done(pack_id.error());
              SPDLOG_INFO("pack order {} up to {}", to_string(*pack_id), to_string(pack_tid));
              if (!wait) return done({});
              wait_for_pack(*pack_id, done);
            });
          });
        });
}

// The master answers once every storage has completed pack order `pack_id`.
void ClientState::wait_for_pack(Tid pack_id, Done done) {
  if (!master_) return done(make_error_code(errc::connection_closed));
  master_->ask(WaitForPack{pack_id},
               [this, done](Result<WaitedForPack> answer, std::string_view message) {
                 if (!answer) return done(error_of(answer.error(), message, "wait for pack"));
                 // Revisions in the cache may be gone from the storages: as
                 // NEO/py, the client that waited forgets them (others keep
                 // theirs, still valid for their readers).
                 cache_.clear();
                 done({});
               });
}

}  // namespace neo::client
