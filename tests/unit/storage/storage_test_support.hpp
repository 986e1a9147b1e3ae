// Helpers for the storage database tests: temporary database files and raw
// SQL access to check what is really stored.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nodes/storage/database/database_logic.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Opens with synchronous=OFF (fast; durability is not what these tests check).
std::unique_ptr<SqliteDatabase> open_fast(const std::string& path,
                                          SqliteDatabase::Options options = {});

// Rows of a query on a separate connection, each column rendered as text
// ("NULL" for NULL, x'..' hex for BLOBs).
std::vector<std::vector<std::string>> sql_rows(const std::string& path, const std::string& sql);
// Executes statements on a separate connection.
void sql_exec(const std::string& path, const std::string& sql);

// Lowercase hex.
std::string hex_of(const std::string& bytes);
std::string unhex(const std::string& hex);

// A partition table of `np` partitions where this node (nid 1) has
// UP_TO_DATE cells on every partition.
void give_partitions(Database& db, std::uint32_t np, std::int32_t own_nid = 1);

}  // namespace neo::storage::test
