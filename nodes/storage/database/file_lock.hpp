// The exclusive lock a storage holds on its database file, NEO/py's way:
// binding the abstract Unix socket "\0neostorage:<st_dev>:<st_ino>" of the
// file, so that C++ and Python storages exclude each other, and the lock
// goes away with the process whatever kills it. Linux only.
#pragma once

#include <string>
#include <system_error>

#include "core/util/error.hpp"

namespace neo::storage {

class FileLock {
 public:
  FileLock() = default;  // holds nothing
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() { release(); }

  // Locks the existing file at `path`. A missing file (an in-memory or
  // temporary database) gives an empty lock. std::errc::address_in_use if
  // another process (or another lock in this one) holds it.
  static Result<FileLock> acquire(const std::string& path);
  // The socket name without its leading NUL: "neostorage:<dev>:<ino>".
  static std::string socket_name(unsigned long long dev, unsigned long long ino);

  bool held() const { return fd_ >= 0; }
  void release();

 private:
  int fd_ = -1;
};

}  // namespace neo::storage
