#include "cli/neostress/workload.hpp"

#include <chrono>
#include <thread>

namespace neo::stress {
namespace {

using client::Client;

bool is_conflict(std::error_code ec) { return ec == errc::conflict || ec == errc::read_conflict; }

}  // namespace

Result<Layout> read_layout(Client& client) {
  auto root = client.load(kZeroOid);
  if (!root) return root.error();
  auto layout = decode_layout(root->data);
  if (!layout) return make_error_code(errc::corrupted_record);
  return *layout;
}

Result<Layout> ensure_layout(Client& client, const LayoutSize& size) {
  auto existing = read_layout(client);
  if (existing) {
    if (existing->writers.size() < static_cast<std::size_t>(size.writers))
      return make_error_code(errc::invalid_argument);
    return existing;
  }
  if (existing.error() != errc::oid_not_found && existing.error() != errc::oid_does_not_exist)
    return existing.error();
  Layout layout;
  layout.initial_balance = size.initial_balance;
  // New oids; oid 0 (which an empty database may hand out) is the root's.
  auto take = [&](std::vector<Oid>& list, int n) -> std::error_code {
    while (static_cast<int>(list.size()) < n) {
      auto oid = client.new_oid();
      if (!oid) return oid.error();
      if (oid->value) list.push_back(*oid);
    }
    return {};
  };
  if (auto ec = take(layout.logs, size.logs)) return ec;
  if (auto ec = take(layout.accounts, size.accounts)) return ec;
  if (auto ec = take(layout.writers, size.writers)) return ec;
  auto txn = client.begin({.user = "neostress", .description = "layout"});
  if (!txn) return txn.error();
  (*txn)->store(kZeroOid, kZeroTid, encode_layout(layout));
  for (Oid oid : layout.logs) (*txn)->store(oid, kZeroTid, encode_log({}));
  for (Oid oid : layout.accounts) (*txn)->store(oid, kZeroTid, encode_count(size.initial_balance));
  for (Oid oid : layout.writers) (*txn)->store(oid, kZeroTid, encode_count(0));
  auto tid = (*txn)->finish();
  if (!tid) return tid.error();
  return layout;
}

WriterLoop::WriterLoop(Client& client, const Layout& layout, std::uint32_t writer,
                       std::uint64_t seed, std::function<void(const Ack&)> ack)
    : client_(client), layout_(layout), writer_(writer), rng_(seed), ack_(std::move(ack)) {}

void WriterLoop::run(const std::atomic<bool>& stop, WriterStats& stats) {
  using namespace std::chrono_literals;
  while (!stop.load()) {
    switch (attempt()) {
      case Outcome::Committed:
        ++stats.commits;
        failures_in_row_ = 0;
        break;
      case Outcome::Conflict: ++stats.conflicts; break;
      case Outcome::Failed:
        ++stats.failures;
        // The cluster is recovering: back off, up to 1 s.
        std::this_thread::sleep_for(
            std::min(1000ms, 20ms * (1 << std::min<std::uint64_t>(failures_in_row_++, 6))));
        break;
    }
  }
}

std::error_code WriterLoop::catch_up() {
  if (auto ec = client_.sync()) return ec;
  auto record = client_.load(layout_.writers.at(writer_));
  if (!record) return record.error();
  auto count = decode_count(record->data);
  if (!count) return make_error_code(errc::corrupted_record);
  // Above next_: a commit reported failed was committed after all (or a
  // previous run's). Below: the database lost commits (the checker says).
  if (*count > next_) next_ = static_cast<std::uint32_t>(*count);
  return {};
}

WriterLoop::Outcome WriterLoop::attempt() {
  if (catch_up()) return Outcome::Failed;
  std::uniform_int_distribution<std::size_t> pick_log(0, layout_.logs.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_account(0, layout_.accounts.size() - 1);
  const std::size_t log_a = pick_log(rng_), account_a = pick_account(rng_);
  std::size_t log_b = pick_log(rng_), account_b = pick_account(rng_);
  if (log_b == log_a) log_b = (log_a + 1) % layout_.logs.size();
  if (account_b == account_a) account_b = (account_a + 1) % layout_.accounts.size();
  const std::int64_t amount = static_cast<std::int64_t>(rng_() % 100) + 1;

  auto txn = client_.begin({.user = "neostress", .description = "w" + std::to_string(writer_)});
  if (!txn) return Outcome::Failed;
  const Entry entry{writer_, next_};
  for (std::size_t index : {log_a, log_b}) {
    const Oid oid = layout_.logs[index];
    auto record = client_.load(oid);
    if (!record) return Outcome::Failed;
    auto head = decode_log(record->data);
    if (!head) return Outcome::Failed;
    Oid bucket_oid{};
    if (full(*head)) {
      auto fresh = client_.new_oid();
      if (!fresh) return Outcome::Failed;
      bucket_oid = *fresh;
    }
    if (auto bucket = append(*head, entry, bucket_oid))
      (*txn)->store(bucket_oid, kZeroTid, std::move(*bucket));
    (*txn)->store(oid, record->serial, encode_log(*head));
  }
  for (auto [index, delta] : {std::pair{account_a, -amount}, std::pair{account_b, amount}}) {
    const Oid oid = layout_.accounts[index];
    auto record = client_.load(oid);
    if (!record) return Outcome::Failed;
    auto balance = decode_count(record->data);
    if (!balance) return Outcome::Failed;
    (*txn)->store(oid, record->serial, encode_count(*balance + delta));
  }
  const Oid self = layout_.writers[writer_];
  auto record = client_.load(self);
  if (!record) return Outcome::Failed;
  (*txn)->store(self, record->serial, encode_count(next_ + 1));

  if (auto ec = (*txn)->vote()) {
    (*txn)->abort();
    return is_conflict(ec) ? Outcome::Conflict : Outcome::Failed;
  }
  auto tid = (*txn)->finish();
  if (!tid) return Outcome::Failed;
  ack_(Ack{writer_, next_, *tid});
  ++next_;
  return Outcome::Committed;
}

Result<Snapshot> read_snapshot(Client& client, const Layout& layout, std::optional<Tid> at) {
  if (auto ec = client.sync()) return ec;
  if (!at) {
    auto last = client.last_transaction();
    if (!last) return last.error();
    at = *last;
  }
  const Tid before{at->value + 1};  // every read as of `at`: one snapshot
  Snapshot snapshot;
  auto read_count = [&](Oid oid, std::vector<std::int64_t>& into) -> std::error_code {
    auto record = client.load_before(oid, before);
    if (!record) return record.error();
    auto value = decode_count(record->data);
    if (!value) return make_error_code(errc::corrupted_record);
    into.push_back(*value);
    return {};
  };
  for (Oid oid : layout.accounts)
    if (auto ec = read_count(oid, snapshot.balances)) return ec;
  for (Oid oid : layout.writers)
    if (auto ec = read_count(oid, snapshot.counts)) return ec;
  for (Oid oid : layout.logs) {
    auto record = client.load_before(oid, before);
    if (!record) return record.error();
    auto head = decode_log(record->data);
    if (!head) return make_error_code(errc::corrupted_record);
    snapshot.entries.insert(snapshot.entries.end(), head->entries.begin(), head->entries.end());
    for (Oid bucket_oid : head->buckets) {
      auto bucket_record = client.load_before(bucket_oid, before);
      if (!bucket_record) return bucket_record.error();
      auto bucket = decode_bucket(bucket_record->data);
      if (!bucket) return make_error_code(errc::corrupted_record);
      snapshot.entries.insert(snapshot.entries.end(), bucket->begin(), bucket->end());
    }
  }
  return snapshot;
}

}  // namespace neo::stress
