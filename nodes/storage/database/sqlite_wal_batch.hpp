// The VFS that writes a WAL's frames in one system call per sync.
#pragma once

namespace neo::storage::sqlite {

// Registers (once) and names the VFS; see sqlite_wal_batch.cpp for when it
// is safe: with synchronous=FULL or EXTRA only.
const char* wal_batch_vfs();

// While a WalSyncScope(false) lives, the WAL syncs asked by this thread's
// connections through the VFS write their frames but skip fsync(2): a
// commit is then as with synchronous=NORMAL (other connections see it; it
// survives a crash of the process, not of the machine, and becomes durable
// with the next sync of the WAL file). WalSyncScope(true) restores real
// syncs inside (a checkpoint must sync the WAL before copying it).
class WalSyncScope {
 public:
  explicit WalSyncScope(bool sync);
  ~WalSyncScope();
  WalSyncScope(const WalSyncScope&) = delete;

 private:
  bool previous_;
};

}  // namespace neo::storage::sqlite
