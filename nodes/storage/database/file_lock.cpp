#include "nodes/storage/database/file_lock.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <utility>

namespace neo::storage {

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

void FileLock::release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string FileLock::socket_name(unsigned long long dev, unsigned long long ino) {
  return "neostorage:" + std::to_string(dev) + ":" + std::to_string(ino);
}

Result<FileLock> FileLock::acquire(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileLock{};
    return std::error_code(errno, std::system_category());
  }
  const std::string name = socket_name(st.st_dev, st.st_ino);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.size() + 1 > sizeof(address.sun_path)) return make_error_code(errc::invalid_argument);
  // Abstract namespace: a leading NUL, and the length says where it ends
  // (no trailing NUL), exactly as Python binds '\0name'.
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  const auto length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  FileLock lock;
  lock.fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (lock.fd_ < 0) return std::error_code(errno, std::system_category());
  if (::bind(lock.fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return std::error_code(errno, std::system_category());
  }
  return lock;
}

}  // namespace neo::storage
