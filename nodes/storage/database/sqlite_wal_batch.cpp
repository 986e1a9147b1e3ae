// A SQLite VFS shim that gathers the writes to a write-ahead log until it
// is synced.
//
// SQLite writes each WAL frame with two write() calls (header, page), so a
// commit touching 25 pages costs 50 system calls before its fsync. Here the
// contiguous writes of a WAL file stay in memory and reach the file in a
// few large writes just before xSync: the file gets the same bytes in the
// same order before the same fsync, so a crash loses nothing a commit
// promised. Only WAL files are wrapped; the database file and rollback
// journals use the default VFS's methods unchanged.
//
// Other connections learn of new frames through the WAL index, which SQLite
// updates after the commit's xSync. Without that sync (synchronous=NORMAL or
// OFF) they could look for frames still in memory: the storage uses this VFS
// only with synchronous=FULL or EXTRA.
#include "nodes/storage/database/sqlite_wal_batch.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace neo::storage::sqlite {
namespace {

constexpr std::size_t kMaxBuffered = 4 << 20;  // written out when larger

sqlite3_vfs* base_vfs = nullptr;
thread_local bool sync_wal = true;  // see WalSyncScope

struct WalFile {
  sqlite3_file file;    // pMethods: kWalMethods
  sqlite3_file* real;   // the default VFS's file, right after this struct
  sqlite3_int64 start;  // file offset of buffer[0]
  std::string* buffer;  // bytes not yet written
};

WalFile& wal(sqlite3_file* file) { return *reinterpret_cast<WalFile*>(file); }

// The default VFS writes at most 128 KiB - 1 per call (its largest page is
// 64 KiB): larger buffers go in chunks of 64 KiB.
constexpr std::size_t kMaxWrite = 64 << 10;

int flush(WalFile& f) {
  const std::string& buffer = *f.buffer;
  int rc = SQLITE_OK;
  for (std::size_t at = 0; at < buffer.size() && rc == SQLITE_OK; at += kMaxWrite) {
    const auto size = static_cast<int>(std::min(kMaxWrite, buffer.size() - at));
    rc = f.real->pMethods->xWrite(f.real, buffer.data() + at, size,
                                  f.start + static_cast<sqlite3_int64>(at));
  }
  f.buffer->clear();
  return rc;
}

int wal_close(sqlite3_file* file) {
  WalFile& f = wal(file);
  const int flushed = flush(f);
  const int rc = f.real->pMethods->xClose(f.real);
  delete f.buffer;
  return flushed != SQLITE_OK ? flushed : rc;
}

int wal_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  WalFile& f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f.real->pMethods->xRead(f.real, out, amount, offset);
}

int wal_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  WalFile& f = wal(file);
  std::string& buffer = *f.buffer;
  const auto end = f.start + static_cast<sqlite3_int64>(buffer.size());
  if (!buffer.empty() && (offset < f.start || offset > end)) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  if (buffer.empty()) f.start = offset;
  const auto at = static_cast<std::size_t>(offset - f.start);
  const auto size = static_cast<std::size_t>(amount);
  if (buffer.size() < at + size) buffer.resize(at + size);
  std::memcpy(buffer.data() + at, data, size);
  return buffer.size() > kMaxBuffered ? flush(f) : SQLITE_OK;
}

int wal_truncate(sqlite3_file* file, sqlite3_int64 size) {
  WalFile& f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f.real->pMethods->xTruncate(f.real, size);
}

int wal_sync(sqlite3_file* file, int flags) {
  WalFile& f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return sync_wal ? f.real->pMethods->xSync(f.real, flags) : SQLITE_OK;
}

int wal_file_size(sqlite3_file* file, sqlite3_int64* size) {
  WalFile& f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f.real->pMethods->xFileSize(f.real, size);
}

int wal_lock(sqlite3_file* file, int level) {
  return wal(file).real->pMethods->xLock(wal(file).real, level);
}

int wal_unlock(sqlite3_file* file, int level) {
  return wal(file).real->pMethods->xUnlock(wal(file).real, level);
}

int wal_check_reserved_lock(sqlite3_file* file, int* out) {
  return wal(file).real->pMethods->xCheckReservedLock(wal(file).real, out);
}

int wal_file_control(sqlite3_file* file, int op, void* arg) {
  WalFile& f = wal(file);
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return f.real->pMethods->xFileControl(f.real, op, arg);
}

int wal_sector_size(sqlite3_file* file) {
  return wal(file).real->pMethods->xSectorSize(wal(file).real);
}

int wal_device_characteristics(sqlite3_file* file) {
  return wal(file).real->pMethods->xDeviceCharacteristics(wal(file).real);
}

// Version 1: SQLite maps no shared memory and no pages of a WAL file.
const sqlite3_io_methods kWalMethods = {
    1,
    wal_close,
    wal_read,
    wal_write,
    wal_truncate,
    wal_sync,
    wal_file_size,
    wal_lock,
    wal_unlock,
    wal_check_reserved_lock,
    wal_file_control,
    wal_sector_size,
    wal_device_characteristics,
    nullptr,  // xShmMap
    nullptr,  // xShmLock
    nullptr,  // xShmBarrier
    nullptr,  // xShmUnmap
    nullptr,  // xFetch
    nullptr,  // xUnfetch
};

int batch_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  if (!(flags & SQLITE_OPEN_WAL)) return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
  WalFile& f = wal(file);
  f.file.pMethods = nullptr;  // SQLite calls no method if the open fails
  f.real = reinterpret_cast<sqlite3_file*>(&f + 1);
  const int rc = base_vfs->xOpen(base_vfs, name, f.real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  f.buffer = new (std::nothrow) std::string();
  if (!f.buffer) {
    f.real->pMethods->xClose(f.real);
    return SQLITE_NOMEM;
  }
  f.start = 0;
  f.file.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

WalSyncScope::WalSyncScope(bool sync) : previous_(sync_wal) { sync_wal = sync; }
WalSyncScope::~WalSyncScope() { sync_wal = previous_; }

const char* wal_batch_vfs() {
  static sqlite3_vfs vfs;
  static std::once_flag once;
  std::call_once(once, [] {
    base_vfs = sqlite3_vfs_find(nullptr);
    vfs = *base_vfs;  // its other methods and pAppData, as they are
    vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + base_vfs->szOsFile;
    vfs.zName = "neo-wal-batch";
    vfs.pNext = nullptr;
    vfs.xOpen = batch_open;
    sqlite3_vfs_register(&vfs, 0);
  });
  return vfs.zName;
}

}  // namespace neo::storage::sqlite
