#include "cli/neostress/isolation.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "cli/neosimple/process.hpp"
#include "cli/neostress/stress_support.hpp"

namespace neo::stress {
namespace {

std::filesystem::path filler(const std::filesystem::path& dir) { return dir / ".neostress-filler"; }

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

std::string tc(std::vector<std::string> args) {
  const std::string program = find_program("tc");
  if (program.empty()) return "tc (iproute2) not found on $PATH";
  args.insert(args.begin(), program);
  auto [status, output] = neo::simple::run_capture(args, std::chrono::seconds(5));
  return status == 0 ? "" : neo::simple::shell_join(args) + ": " + output;
}

}  // namespace

std::string isolate() {
  if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
    return errno_text("--isolate: unshare of the network and mount namespaces") +
           " (run as root, or without --isolate)";
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return errno_text("--isolate: making the mounts private");
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_text("--isolate: socket");
  ifreq request{};
  std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
  const bool up = ::ioctl(fd, SIOCGIFFLAGS, &request) == 0 &&
                  (request.ifr_flags |= IFF_UP, ::ioctl(fd, SIOCSIFFLAGS, &request) == 0);
  const std::string error = up ? "" : errno_text("--isolate: bringing lo up");
  ::close(fd);
  return error;
}

std::string mount_disk(const std::filesystem::path& dir, std::uint64_t bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return dir.string() + ": " + ec.message();
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0755";
  if (::mount("neostress", dir.c_str(), "tmpfs", 0, options.c_str()) != 0)
    return errno_text("mounting a tmpfs on " + dir.string());
  return "";
}

std::string fill_disk(const std::filesystem::path& dir) {
  const int fd = ::open(filler(dir).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return errno_text(filler(dir).string());
  // Written rather than fallocate'd: every page really taken.
  static const std::string chunk(1 << 20, '\0');
  std::size_t size = chunk.size();
  while (size >= 4096) {
    const ssize_t n = ::write(fd, chunk.data(), size);
    if (n < 0 && errno == ENOSPC)
      size /= 2;
    else if (n < 0)
      break;
  }
  const std::string error = size >= 4096 ? errno_text("filling " + dir.string()) : "";
  ::close(fd);
  return error;
}

void free_disk(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::remove(filler(dir), ec);
}

std::string slow_port(std::uint16_t port, std::uint64_t kbit_per_second) {
  // HTB sends what no filter classifies straight on (no default class);
  // the port's packets, both ways, go through one slow class whose short
  // queue (10 packets) drops what does not fit: delay and loss.
  const std::string rate = std::to_string(kbit_per_second) + "kbit";
  std::string error =
      tc({"qdisc", "replace", "dev", "lo", "root", "handle", "1:", "htb", "default", "0"});
  if (error.empty())
    error = tc({"class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate", rate,
                "ceil", rate, "burst", "16kb"});
  if (error.empty())
    error = tc({"qdisc", "add", "dev", "lo", "parent", "1:10", "pfifo", "limit", "10"});
  struct Family {
    const char *protocol, *match, *prio;  // a priority per protocol
  };
  for (const Family& f : {Family{"ip", "ip", "1"}, Family{"ipv6", "ip6", "2"}}) {
    for (const char* end : {"sport", "dport"}) {
      if (error.empty())
        error = tc({"filter", "add", "dev", "lo", "parent", "1:", "protocol", f.protocol, "prio",
                    f.prio, "u32", "match", f.match, end, std::to_string(port), "0xffff", "flowid",
                    "1:10"});
    }
  }
  if (!error.empty()) restore_network();
  return error;
}

void restore_network() { tc({"qdisc", "del", "dev", "lo", "root"}); }

}  // namespace neo::stress
