#include "core/sqlite/sqlite.hpp"

namespace neo::sqlite {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sqlite"; }
  std::string message(int value) const override { return sqlite3_errstr(value); }
};

}  // namespace

const std::error_category& category() noexcept {
  static const Category category;
  return category;
}

int Database::open(const std::string& path, int flags, const char* vfs) {
  close();
  return sqlite3_open_v2(path.c_str(), &db_, flags, vfs);
}

void Database::close() {
  if (db_) sqlite3_close_v2(std::exchange(db_, nullptr));
}

Statement Database::prepare(std::string_view sql, unsigned flags) const {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(stmt);
    return {};
  }
  return Statement(stmt);
}

int Database::exec(const char* sql, std::string* error) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, error ? &message : nullptr);
  if (error && rc != SQLITE_OK) *error = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return rc;
}

}  // namespace neo::sqlite
