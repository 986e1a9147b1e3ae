// Checkpointer: see sqlite_checkpointer.hpp.
#include "nodes/storage/database/sqlite_checkpointer.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "nodes/storage/database/sqlite_wal_batch.hpp"

namespace neo::storage::sqlite {

Checkpointer::Checkpointer(sqlite3* writer, const std::string& path, const char* vfs,
                           const std::string& synchronous)
    : writer_(writer) {
  if (own_.open(path, SQLITE_OPEN_READWRITE, vfs) != SQLITE_OK)
    throw std::runtime_error("checkpoint connection: " + own_.error());
  std::string error;
  if (!synchronous.empty() &&
      own_.exec(("PRAGMA synchronous = " + synchronous).c_str(), &error) != SQLITE_OK)
    throw std::runtime_error("checkpoint connection: " + error);
  const std::string limit = "PRAGMA journal_size_limit = " + std::to_string(kSizeLimit);
  if (sqlite3_exec(writer_, limit.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    throw std::runtime_error(std::string("journal_size_limit: ") + sqlite3_errmsg(writer_));
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer_, &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_, kPages);  // replaces our hook
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

int Checkpointer::on_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  if (pages >= kWriterPages) {
    std::unique_lock idle(checkpointer.checkpoint_, std::try_to_lock);
    if (idle) {                   // else the thread is at it: at a later commit
      WalSyncScope synced(true);  // the WAL is synced before it is copied
      sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return SQLITE_OK;
    }
  }
  if (pages >= kPages) {
    {
      std::lock_guard lock(checkpointer.mutex_);
      checkpointer.requested_ = true;
    }
    checkpointer.wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return requested_ || stop_; });
    if (stop_) return;
    requested_ = false;
    lock.unlock();
    int log = 0, copied = 0, rc = SQLITE_OK;
    {
      std::lock_guard checkpointing(checkpoint_);
      rc = sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      SPDLOG_WARN("checkpoint: {} ({} of {} pages copied)", own_.error(), copied, log);
    lock.lock();
  }
}

}  // namespace neo::storage::sqlite
