// cli/neostress/isolation.hpp
// `neostress run --isolate`: the run gets a network namespace and a mount
// namespace of its own (unshare(2); root or CAP_SYS_ADMIN), where it may
// shape traffic and fill disks without touching the machine:
//   - each storage's database is on a tmpfs of its own (size-limited), so
//     that a disk can be filled up (disk-full) and freed again;
//   - the loopback traffic to and from one node's port can be slowed down
//     (tc htb with u32 filters: a low rate and a short queue give delay and
//     loss), the delay fault.
// The namespaces end with the run: so do the tmpfs and their databases.
// isolate() must run before any thread is started (unshare of the mount
// namespace requires a single-threaded process).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace neo::stress {

// Unshares the network and mount namespaces, brings `lo` up, makes every
// mount private. "" on success, else what went wrong and what to do.
std::string isolate();
// Mounts a tmpfs of `bytes` on `dir` (created if needed).
std::string mount_disk(const std::filesystem::path& dir, std::uint64_t bytes);
// Takes every free byte of the filesystem of `dir` (a filler file).
std::string fill_disk(const std::filesystem::path& dir);
// Removes the filler file.
void free_disk(const std::filesystem::path& dir);
// Slows down the loopback packets from or to `port` (rate in kbit/s), or
// every packet back to normal.
std::string slow_port(std::uint16_t port, std::uint64_t kbit_per_second);
void restore_network();

}  // namespace neo::stress
