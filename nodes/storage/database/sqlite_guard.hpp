// SqliteDatabase::guard(), shared by the sqlite_*.cpp files (internal).
#pragma once

#include <type_traits>

#include "nodes/storage/database/sqlite_connection.hpp"
#include "nodes/storage/database/sqlite_database.hpp"

namespace neo::storage {

template <class F>
auto SqliteDatabase::guard(F&& body) {
  using T = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<T>) {
    try {
      if (!conn_) sqlite::fail(make_error_code(errc::not_ready), "database is closed");
      body();
      return std::error_code{};
    } catch (const sqlite::Failure& failure) {
      last_error_ = failure.message;
      return failure.code;
    }
  } else {
    try {
      if (!conn_) sqlite::fail(make_error_code(errc::not_ready), "database is closed");
      return Result<T>(body());
    } catch (const sqlite::Failure& failure) {
      last_error_ = failure.message;
      return Result<T>(failure.code);
    }
  }
}

}  // namespace neo::storage
