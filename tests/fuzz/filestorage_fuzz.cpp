// Fuzz target of the FileStorage reader (importer/): the input is a whole
// Data.fs, as an operator's damaged or hostile file would be. Every
// transaction and record is read, the oid index built, and every indexed oid
// loaded (latest, and before 3 of the tids met). It must never crash, hang or
// read out of bounds, and must not allocate more than the file's size per
// read. When both the scan and the index succeed they agree.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"

using namespace neo;
using namespace neo::importer;

namespace {

// The number of transactions read, or -1 at an error.
long scan(FileStorage& fs, std::vector<Tid>& tids) {
  FsIterator it(fs);
  for (;;) {
    Result<std::optional<FsTransaction>> txn = it.next();
    if (!txn) return -1;
    if (!*txn) return long(tids.size());
    if (!fs.read_records(**txn)) return -1;
    tids.push_back((*txn)->tid());
  }
}

void check(const std::string& path) {
  FileStorage fs;
  if (fs.open(path)) return;
  std::vector<Tid> tids;
  long read = scan(fs, tids);
  FsIndex index;
  if (update_index(fs, index)) return;
  if (read >= 0 && std::uint64_t(read) != index.transactions.size()) std::abort();
  for (const auto& [oid, pos] : index.latest) {
    (void)load(fs, index, Oid{oid}, std::nullopt, std::nullopt);
    for (std::size_t i = 0; i < tids.size(); i += 1 + tids.size() / 3)
      (void)load(fs, index, Oid{oid}, std::nullopt, tids[i]);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memfd_create("filestorage-fuzz", MFD_CLOEXEC);
  if (fd < 0) std::abort();
  for (std::size_t done = 0; done < size;) {
    ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) std::abort();
    done += std::size_t(n);
  }
  check("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  return 0;
}
