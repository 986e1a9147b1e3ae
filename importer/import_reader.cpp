// importer/import_reader.cpp
#include "importer/import_reader.hpp"

#include <utility>

#include "core/util/record_data.hpp"

namespace neo::importer {

ImportReader::ImportReader(const std::string& path, std::uint64_t pos, std::optional<Tid> last_tid,
                           Tid stop, std::optional<int> level)
    : stop_(stop), level_(level) {
  if (std::error_code ec = fs_.open(path)) {
    error_ = fs_.error();
    failure_ = ec;
    finished_ = true;
    return;
  }
  thread_ = std::thread([this, pos, last_tid] { run(pos, last_tid); });
}

ImportReader::~ImportReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<PreparedTransaction> ImportReader::prepare(FsTransaction txn) {
  Result<std::vector<FsRecord>> records = fs_.read_records(txn);
  if (!records) return std::nullopt;
  PreparedTransaction out{.txn = std::move(txn)};
  out.records.reserve(records->size());
  for (FsRecord& r : *records) {
    PreparedRecord p{.oid = r.oid(), .data_tid = r.data_tid};
    if (!r.data_tid && r.data) {
      StoredData stored = level_ ? compress(*r.data, *level_) : StoredData{0, std::move(*r.data)};
      p.has_data = true;
      p.compression = stored.compression;
      p.checksum = sha1(stored.data);
      p.data = std::move(stored.data);
    }
    out.bytes += p.data.size() + sizeof p;
    out.records.push_back(std::move(p));
  }
  return out;
}

void ImportReader::run(std::uint64_t pos, std::optional<Tid> last_tid) {
  FsIterator it(fs_, pos, last_tid);
  std::error_code failure;
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (!txn) failure = txn.error();
    if (!txn || !*txn || stop_ < (*txn)->tid()) break;
    std::optional<PreparedTransaction> prepared = prepare(std::move(**txn));
    if (!prepared) {
      failure = make_error_code(errc::corrupted_record);
      break;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || ready_bytes_ < kAhead; });
    if (stopping_) return;
    ready_bytes_ += prepared->bytes;
    ready_.push_back(std::move(*prepared));
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

Result<std::optional<PreparedTransaction>> ImportReader::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return !ready_.empty() || finished_; });
  if (ready_.empty()) {
    if (finished_ && failure_) return failure_;
    return std::optional<PreparedTransaction>{};
  }
  PreparedTransaction txn = std::move(ready_.front());
  ready_.pop_front();
  ready_bytes_ -= txn.bytes;
  lock.unlock();
  changed_.notify_all();
  return std::optional(std::move(txn));
}

bool ImportReader::done() const {
  std::lock_guard lock(mutex_);
  return finished_ && ready_.empty() && !failure_;
}

}  // namespace neo::importer
