// NEO -> FileStorage: the cluster's transactions, oldest first, each written
// with FsWriter; a record reusing an earlier revision's data (data_serial)
// becomes a FileStorage backpointer to that revision, a record without data
// a record of data length 0 and backpointer 0 (as ZODB writes deletions).
#include <deque>
#include <filesystem>
#include <future>

#include "cli/neomigrate/copy.hpp"
#include "cli/neomigrate/neomigrate.hpp"
#include "importer/fs_format.hpp"
#include "importer/fs_writer.hpp"

namespace neo::neomigrate {

namespace {

constexpr std::size_t kChunk = 100;  // transactions listed at a time
constexpr std::size_t kAhead = 8;    // transactions being read at a time

importer::FsNewTransaction to_fs(const client::TransactionInfo& info,
                                 std::vector<client::Revision> revisions) {
  importer::FsNewTransaction txn{
      .tid = info.tid,
      .status = info.packed ? importer::kStatusPacked : importer::kStatusNormal,
      .user = info.user,
      .description = info.description,
      .extension = info.extension};
  txn.records.reserve(revisions.size());
  for (client::Revision& revision : revisions) {
    importer::FsNewRecord record{.oid = revision.oid, .data_tid = revision.data_serial};
    if (!revision.data_serial) record.data = std::move(revision.data);
    txn.records.push_back(std::move(record));
  }
  return txn;
}

// The fraction of the tid range [first, last] done at `tid`: tids grow with
// time, so this estimates the share of the history copied.
double fraction(Tid first, Tid last, Tid tid) {
  if (last <= first) return 1;
  return static_cast<double>(tid.value - first.value) /
         static_cast<double>(last.value - first.value);
}

std::uint64_t size_of(const importer::FsNewTransaction& txn) {
  std::uint64_t bytes = txn.user.size() + txn.description.size() + txn.extension.size();
  for (const importer::FsNewRecord& record : txn.records)
    bytes += record.data ? record.data->size() : 0;
  return bytes;
}

// Copies into `writer`; "" or what failed.
std::string copy(client::Client& client, Tid last, importer::FsWriter& writer, Progress& progress,
                 std::uint64_t& transactions, std::uint64_t& bytes) {
  Tid start = kZeroTid;
  std::optional<Tid> first;
  while (start <= last) {
    Result<std::vector<client::TransactionInfo>> infos = client.transactions(start, last, kChunk);
    if (!infos)
      return "cannot list the transactions from " + to_string(start) + ": " +
             infos.error().message();
    if (infos->empty()) break;
    if (!first) first = infos->front().tid;
    // Their records are read a few transactions ahead, the client's
    // connections kept busy while the file is written.
    std::deque<std::future<Result<std::vector<client::Revision>>>> reads;
    std::size_t next = 0;
    for (const client::TransactionInfo& info : *infos) {
      for (; next < infos->size() && reads.size() < kAhead; ++next) {
        const client::TransactionInfo& ahead = (*infos)[next];
        reads.push_back(std::async(std::launch::async, [&client, &ahead] {
          return client.revisions(ahead.tid, ahead.oids);
        }));
      }
      Result<std::vector<client::Revision>> revisions = reads.front().get();
      reads.pop_front();
      if (!revisions)
        return "cannot read transaction " + to_string(info.tid) + ": " +
               revisions.error().message();
      importer::FsNewTransaction txn = to_fs(info, std::move(*revisions));
      if (std::error_code ec = writer.append(txn)) return writer.error();
      ++transactions;
      bytes += size_of(txn);
      progress.update(fraction(*first, last, info.tid), transactions, bytes);
    }
    if (infos->back().tid == kMaxTid) break;
    start = Tid{infos->back().tid.value + 1};
  }
  if (std::error_code ec = writer.sync()) return writer.error();
  return "";
}

}  // namespace

int copy_neo_to_fs(client::Client& client, Tid last, const std::string& path, Progress& progress,
                   std::ostream& err) {
  importer::FsWriter writer;
  if (std::error_code ec = writer.create(path)) {
    err << "neomigrate: " << writer.error() << '\n';
    return kExitRefused;
  }
  std::uint64_t transactions = 0, bytes = 0;
  if (std::string why = copy(client, last, writer, progress, transactions, bytes); !why.empty()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    err << "\nneomigrate: " << why << "\nneomigrate: stopped after " << transactions
        << " transactions; " << path << " was removed\n";
    return kExitFailed;
  }
  progress.finish(transactions, bytes);
  return kExitOk;
}

}  // namespace neo::neomigrate
