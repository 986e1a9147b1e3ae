// The VFS that writes a WAL's frames in one system call per sync.
#pragma once

namespace neo::storage::sqlite {

// Registers (once) and names the VFS; see sqlite_wal_batch.cpp for when it
// is safe: with synchronous=FULL or EXTRA only.
const char* wal_batch_vfs();

}  // namespace neo::storage::sqlite
