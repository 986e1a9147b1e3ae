#include "core/net/pending_answers.hpp"

#include <algorithm>

namespace neo::net {

bool PendingAnswers::add(std::uint32_t msg_id, std::uint16_t answer_code,
                         RawAnswerCallback callback) {
  auto [it, inserted] =
      entries_.try_emplace(msg_id, Entry{answer_code, next_order_, std::move(callback)});
  if (inserted) ++next_order_;
  return inserted;
}

PendingAnswers::Match PendingAnswers::take(std::uint32_t msg_id, std::uint16_t code,
                                           RawAnswerCallback& callback) {
  auto it = entries_.find(msg_id);
  if (it == entries_.end()) return Match::kNotPending;
  if (code != it->second.answer_code && code != protocol::kResponseMask) return Match::kWrongType;
  callback = std::move(it->second.callback);
  entries_.erase(it);
  return Match::kExpected;
}

std::uint16_t PendingAnswers::expected(std::uint32_t msg_id) const {
  auto it = entries_.find(msg_id);
  return it == entries_.end() ? 0 : it->second.answer_code;
}

std::vector<RawAnswerCallback> PendingAnswers::take_all() {
  std::vector<Entry> entries;
  entries.reserve(entries_.size());
  for (auto& [id, entry] : entries_) entries.push_back(std::move(entry));
  entries_.clear();
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.order < b.order; });
  std::vector<RawAnswerCallback> callbacks;
  callbacks.reserve(entries.size());
  for (Entry& entry : entries) callbacks.push_back(std::move(entry.callback));
  return callbacks;
}

}  // namespace neo::net
