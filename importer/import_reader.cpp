// importer/import_reader.cpp
#include "importer/import_reader.hpp"

#include <utility>

#include "core/util/record_data.hpp"

namespace neo::importer {

ImportReader::ImportReader(const std::string& path, std::uint64_t pos, std::optional<Tid> last_tid,
                           Tid stop, std::optional<int> level, unsigned workers)
    : stop_(stop), level_(level) {
  if (std::error_code ec = fs_.open(path)) {
    error_ = fs_.error();
    failure_ = ec;
    finished_ = true;
    return;
  }
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  reader_ = std::thread([this, pos, last_tid] { read(pos, last_tid); });
  for (unsigned i = 0; i < workers; ++i) workers_.emplace_back([this] { compress_loop(); });
}

ImportReader::~ImportReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (reader_.joinable()) reader_.join();
  for (std::thread& worker : workers_) worker.join();
}

void ImportReader::read(std::uint64_t pos, std::optional<Tid> last_tid) {
  FsIterator it(fs_, pos, last_tid);
  std::error_code failure;
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (!txn) failure = txn.error();
    if (!txn || !*txn || stop_ < (*txn)->tid()) break;
    Result<std::vector<FsRecord>> records = fs_.read_records(**txn);
    if (!records) {
      failure = records.error();
      break;
    }
    PreparedTransaction prepared{.txn = std::move(**txn)};
    prepared.records.reserve(records->size());
    for (FsRecord& r : *records) {
      PreparedRecord p{.oid = r.oid(), .data_tid = r.data_tid};
      if (!r.data_tid && r.data) {
        p.has_data = true;
        p.data = std::move(*r.data);
        prepared.bytes += p.data.size();
      }
      prepared.bytes += sizeof p;
      prepared.records.push_back(std::move(p));
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || ahead_bytes_ < kAhead; });
    if (stopping_) return;
    ahead_bytes_ += prepared.bytes;
    slots_.push_back(Slot{.txn = std::move(prepared)});
    lock.unlock();
    changed_.notify_all();
  }
  if (failure) error_ = fs_.error();
  {
    std::lock_guard lock(mutex_);
    failure_ = failure;
    finished_ = true;
  }
  changed_.notify_all();
}

void ImportReader::prepare(PreparedTransaction& txn) const {
  for (PreparedRecord& r : txn.records) {
    if (!r.has_data) continue;
    if (level_) {
      StoredData stored = compress(r.data, *level_);
      r.compression = stored.compression;
      r.data = std::move(stored.data);
    }
    r.checksum = sha1(r.data);
  }
}

void ImportReader::compress_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    Slot* slot = nullptr;
    changed_.wait(lock, [&] {
      if (stopping_) return true;
      for (Slot& s : slots_)
        if (!s.claimed) return (slot = &s) != nullptr;
      return finished_;
    });
    if (!slot) return;  // stopping, or nothing more will come
    slot->claimed = true;
    lock.unlock();
    prepare(slot->txn);  // a deque keeps its elements in place
    lock.lock();
    slot->ready = true;
    changed_.notify_all();
  }
}

Result<std::optional<PreparedTransaction>> ImportReader::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] {
    return (!slots_.empty() && slots_.front().ready) || (finished_ && slots_.empty());
  });
  if (slots_.empty() || !slots_.front().ready) {
    if (finished_ && slots_.empty() && failure_) return failure_;
    return std::optional<PreparedTransaction>{};
  }
  PreparedTransaction txn = std::move(slots_.front().txn);
  slots_.pop_front();
  ahead_bytes_ -= txn.bytes;
  lock.unlock();
  changed_.notify_all();
  return std::optional(std::move(txn));
}

bool ImportReader::done() const {
  std::lock_guard lock(mutex_);
  return finished_ && slots_.empty() && !failure_;
}

}  // namespace neo::importer
