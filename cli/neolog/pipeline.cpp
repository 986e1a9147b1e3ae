#include "cli/neolog/pipeline.hpp"

#include <algorithm>
#include <cstring>

namespace neo::neolog {
namespace {

constexpr std::size_t kBatchRecords = 2048;
constexpr std::size_t kArenaBytes = 512 * 1024;
constexpr std::size_t kMaxQueued = 4;  // batches waiting for the formatting thread

}  // namespace

bool RecordPipeline::sink_uses_body(std::int64_t code) {
  if (code != last_code_) {
    last_code_ = code;
    last_uses_body_ = sink_.uses_body(code);
  }
  return last_uses_body_;
}

RecordPipeline::RecordPipeline(RecordSink& sink, Output& out)
    : sink_(sink), out_(out), pathname_(sink.uses_pathname()) {
  thread_ = std::thread([this] { run(); });
  out_.set_sync_hook([this] { drain(); });
}

RecordPipeline::~RecordPipeline() {
  drain();
  out_.set_sync_hook(nullptr);
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  filled_.notify_one();
  thread_.join();
}

std::string_view RecordPipeline::copy(Batch& b, std::string_view s) {
  if (s.empty()) return {};
  char* p = b.arena.get() + b.used;  // room checked by write()
  std::memcpy(p, s.data(), s.size());
  b.used += s.size();
  return {p, s.size()};
}

const std::string* RecordPipeline::intern(const std::string* label) {
  // The reader may reassign a label in place: compare the text too.
  if (label == last_source_ && *label == *last_label_) return last_label_;
  last_source_ = label;
  last_label_ = &*labels_.insert(*label).first;
  return last_label_;
}

void RecordPipeline::write(const Record& r) {
  const bool log = r.kind == Record::Kind::Log;
  const bool body = !log && r.body && sink_uses_body(r.code);
  const std::size_t need = log ? r.msg.size() + (pathname_ ? r.pathname.size() : 0)
                               : r.peer.size() + (body ? r.body->size() : 0);
  if (current_ && current_->capacity - current_->used < need) submit();
  if (!current_) {
    std::unique_lock lock(mutex_);
    if (!free_.empty()) {
      current_ = std::move(free_.back());
      free_.pop_back();
    }
    lock.unlock();
    if (!current_) current_ = std::make_unique<Batch>();
    current_->records.clear();
    current_->records.reserve(kBatchRecords);
    current_->used = 0;
  }
  if (current_->capacity - current_->used < need) {  // an empty batch, too small
    current_->capacity = std::max(kArenaBytes, need);
    current_->arena = std::make_unique_for_overwrite<char[]>(current_->capacity);
  }
  Batch& b = *current_;
  Record& c = b.records.emplace_back(r);
  c.node = intern(r.node);
  if (log) {
    c.msg = copy(b, r.msg);
    c.pathname = pathname_ ? copy(b, r.pathname) : std::string_view{};
  } else {
    c.peer = copy(b, r.peer);
    if (r.body) c.body = body ? copy(b, *r.body) : std::string_view{};  // (only its presence)
  }
  if (b.records.size() >= kBatchRecords) submit();
}

void RecordPipeline::submit() {
  if (!current_) return;
  if (current_->records.empty()) return;
  std::unique_lock lock(mutex_);
  emptied_.wait(lock, [&] { return full_.size() < kMaxQueued; });
  full_.push_back(std::move(current_));
  lock.unlock();
  filled_.notify_one();
}

void RecordPipeline::drain() {
  submit();
  std::unique_lock lock(mutex_);
  emptied_.wait(lock, [&] { return full_.empty() && !busy_; });
}

void RecordPipeline::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    filled_.wait(lock, [&] { return done_ || !full_.empty(); });
    if (full_.empty()) return;  // done
    std::unique_ptr<Batch> b = std::move(full_.front());
    full_.pop_front();
    busy_ = true;
    lock.unlock();
    for (const Record& r : b->records) {
      if (out_.failed()) break;  // nobody reads any more: skip the rest
      sink_.write(r);
    }
    lock.lock();
    busy_ = false;
    free_.push_back(std::move(b));
    emptied_.notify_one();
  }
}

}  // namespace neo::neolog
