// importer/fs_writer.hpp
// Writes FileStorage files that ZODB opens: a new file (neomigrate's export)
// or an existing one, appended to (the Importer's writeback). Each
// transaction is one write at the end of the file, with the previous-record
// pointers and backpointers ZODB's restore() writes; sync() makes what was
// written durable. Opening an existing file indexes it and cuts a trailing
// transaction left in the 'c' (being committed) state, as ZODB does.
// One thread; no other writer may use the file meanwhile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/util/ids.hpp"
#include "importer/file_storage.hpp"
#include "importer/fs_index.hpp"

namespace neo::importer {

struct FsNewRecord {
  Oid oid;
  std::optional<std::string> data{};  // the pickle (never empty)
  std::optional<Tid> data_tid{};      // no data: a backpointer to the oid's record of that tid
};                                    // neither: no data (a deletion, an undone creation)

struct FsNewTransaction {
  Tid tid;
  char status = kStatusNormal;
  std::string user{}, description{}, extension{};  // at most 65535 bytes each
  std::vector<FsNewRecord> records{};              // one per oid
};

class FsWriter {
 public:
  FsWriter() = default;
  FsWriter(const FsWriter&) = delete;
  ~FsWriter();

  // A new file (it must not exist), with the FS30 magic.
  std::error_code create(const std::string& path);
  // An existing file, to append to. `known`: an index of it already built
  // (only what follows known.end is scanned).
  std::error_code open(const std::string& path, FsIndex known = {});
  // Appends `txn`; its tid must be above the file's last one.
  std::error_code append(const FsNewTransaction& txn);
  std::error_code sync();

  const FsIndex& index() const { return index_; }
  // Bytes of an unfinished transaction cut by open().
  std::uint64_t cut_bytes() const { return cut_bytes_; }
  const std::string& error() const { return error_; }

 private:
  std::error_code fail(std::error_code ec, const std::string& what);
  std::error_code os_error(const std::string& what);
  Result<std::string> encode(const FsNewTransaction& txn);
  std::error_code write_at(std::uint64_t pos, const std::string& bytes);

  std::string path_;
  int fd_ = -1;
  FileStorage reader_;  // for backpointer targets
  FsIndex index_;
  std::uint64_t cut_bytes_ = 0;
  std::string error_;
};

}  // namespace neo::importer
