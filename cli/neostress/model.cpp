#include "cli/neostress/model.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <map>

namespace neo::stress {
namespace {

// Big-endian fields after a 4-byte magic.
class Writer {
 public:
  explicit Writer(std::string_view magic) : out_(magic) {}
  void u32(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>(v >> shift));
  }
  void u64(std::uint64_t v) { out_ += p64(v); }
  void entries(const std::vector<Entry>& list) {
    u32(static_cast<std::uint32_t>(list.size()));
    for (const Entry& e : list) u32(e.writer), u32(e.seq);
  }
  void oids(const std::vector<Oid>& list) {
    u32(static_cast<std::uint32_t>(list.size()));
    for (Oid oid : list) u64(oid.value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(std::string_view data, std::string_view magic)
      : data_(data), ok_(data.substr(0, 4) == magic) {
    pos_ = 4;
  }
  std::uint32_t u32() {
    if (!need(4)) return 0;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(data_[pos_++]);
    return v;
  }
  std::uint64_t u64() {
    if (!need(8)) return 0;
    pos_ += 8;
    return neo::u64(data_.substr(pos_ - 8, 8));
  }
  std::vector<Entry> entries() {
    std::vector<Entry> list(count(8));
    for (Entry& e : list) e.writer = u32(), e.seq = u32();
    return list;
  }
  std::vector<Oid> oids() {
    std::vector<Oid> list(count(8));
    for (Oid& oid : list) oid.value = u64();
    return list;
  }
  // True if everything was read and nothing is left.
  bool done() const { return ok_ && pos_ == data_.size(); }

 private:
  bool need(std::size_t n) {
    if (data_.size() - pos_ < n) ok_ = false;
    return ok_;
  }
  // A list length, bounded by what is left so that bad data cannot
  // allocate more than its own size.
  std::size_t count(std::size_t item) {
    const std::size_t n = u32();
    if (!ok_ || n > (data_.size() - pos_) / item) return ok_ = false, 0;
    return n;
  }

  std::string_view data_;
  bool ok_;
  std::size_t pos_;
};

}  // namespace

std::string encode_layout(const Layout& layout) {
  Writer w("NSR1");
  w.oids(layout.logs), w.oids(layout.accounts), w.oids(layout.writers);
  w.u64(static_cast<std::uint64_t>(layout.initial_balance));
  return w.take();
}

std::optional<Layout> decode_layout(std::string_view data) {
  Reader r(data, "NSR1");
  Layout layout;
  layout.logs = r.oids(), layout.accounts = r.oids(), layout.writers = r.oids();
  layout.initial_balance = static_cast<std::int64_t>(r.u64());
  if (!r.done()) return std::nullopt;
  return layout;
}

std::string encode_log(const LogHead& head) {
  Writer w("NSL1");
  w.oids(head.buckets), w.entries(head.entries);
  return w.take();
}

std::optional<LogHead> decode_log(std::string_view data) {
  Reader r(data, "NSL1");
  LogHead head;
  head.buckets = r.oids(), head.entries = r.entries();
  if (!r.done()) return std::nullopt;
  return head;
}

std::string encode_bucket(const std::vector<Entry>& entries) {
  Writer w("NSB1");
  w.entries(entries);
  return w.take();
}

std::optional<std::vector<Entry>> decode_bucket(std::string_view data) {
  Reader r(data, "NSB1");
  std::vector<Entry> entries = r.entries();
  if (!r.done()) return std::nullopt;
  return entries;
}

std::string encode_count(std::int64_t value) {
  Writer w("NSC1");
  w.u64(static_cast<std::uint64_t>(value));
  return w.take();
}

std::optional<std::int64_t> decode_count(std::string_view data) {
  Reader r(data, "NSC1");
  const auto value = static_cast<std::int64_t>(r.u64());
  if (!r.done()) return std::nullopt;
  return value;
}

bool full(const LogHead& head) { return head.entries.size() >= kBucketEntries; }

std::optional<std::string> append(LogHead& head, Entry entry, Oid bucket_oid) {
  std::optional<std::string> bucket;
  if (full(head)) {
    bucket = encode_bucket(head.entries);
    head.buckets.push_back(bucket_oid);
    head.entries.clear();
  }
  head.entries.push_back(entry);
  return bucket;
}

std::string format_ack(const Ack& ack) {
  char line[64];
  std::snprintf(line, sizeof line, "%" PRIu32 " %" PRIu32 " %016" PRIx64 "\n", ack.writer, ack.seq,
                ack.tid.value);
  return line;
}

std::vector<Ack> parse_acks(std::string_view text, std::size_t* bad_lines) {
  std::vector<Ack> acks;
  std::size_t bad = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) break;  // a line cut by a kill: not acked yet
    const std::string line(text.substr(0, end));
    text.remove_prefix(end + 1);
    Ack ack;
    if (std::sscanf(line.c_str(), "%" SCNu32 " %" SCNu32 " %" SCNx64, &ack.writer, &ack.seq,
                    &ack.tid.value) == 3)
      acks.push_back(ack);
    else
      ++bad;
  }
  if (bad_lines) *bad_lines = bad;
  return acks;
}

Verdict verify(const Layout& layout, Snapshot snapshot, const std::vector<Ack>& acks) {
  Verdict verdict;
  auto violation = [&](std::string text) {
    if (verdict.violations.size() < 100) verdict.violations.push_back(std::move(text));
  };
  std::sort(snapshot.entries.begin(), snapshot.entries.end());
  std::map<std::uint32_t, std::int64_t> seen;  // writer -> entries checked
  for (std::size_t i = 0; i < snapshot.entries.size();) {
    const Entry e = snapshot.entries[i];
    std::size_t n = 0;
    while (i < snapshot.entries.size() && snapshot.entries[i] == e) ++i, ++n;
    const std::int64_t count = e.writer < snapshot.counts.size() ? snapshot.counts[e.writer] : -1;
    if (count < 0) {
      violation("entry of unknown writer " + std::to_string(e.writer));
    } else if (e.seq >= count) {
      violation("writer " + std::to_string(e.writer) + ": commit " + std::to_string(e.seq) +
                " is in the logs but the writer's count is " + std::to_string(count));
    } else if (n != 2) {
      violation("writer " + std::to_string(e.writer) + ": commit " + std::to_string(e.seq) +
                " appears " + std::to_string(n) + " times in the logs instead of 2");
    }
    if (count >= 0 && e.seq < count) ++seen[e.writer];
  }
  for (std::size_t w = 0; w < snapshot.counts.size(); ++w) {
    const std::int64_t count = snapshot.counts[w];
    verdict.commits += static_cast<std::uint64_t>(std::max<std::int64_t>(count, 0));
    const std::int64_t distinct = seen[static_cast<std::uint32_t>(w)];
    if (distinct != count)
      violation("writer " + std::to_string(w) + ": " + std::to_string(count - distinct) +
                " of its " + std::to_string(count) + " commits are missing from the logs");
  }
  for (const Ack& ack : acks) {
    ++verdict.acked;
    if (ack.writer >= snapshot.counts.size() || ack.seq >= snapshot.counts[ack.writer])
      violation("writer " + std::to_string(ack.writer) + ": commit " + std::to_string(ack.seq) +
                " (tid " + to_string(ack.tid) + ") was acknowledged but is not in the database");
  }
  std::int64_t total = 0;
  for (std::int64_t balance : snapshot.balances) total += balance;
  const auto expected = layout.initial_balance * static_cast<std::int64_t>(layout.accounts.size());
  if (total != expected)
    violation("account total is " + std::to_string(total) + " instead of " +
              std::to_string(expected));
  return verdict;
}

}  // namespace neo::stress
