// SqlDatabase::guard(), shared by the sql_*, sqlite_* and mariadb_* files
// (internal).
#pragma once

#include <type_traits>

#include "nodes/storage/database/sql_database.hpp"

namespace neo::storage {

template <class F>
auto SqlDatabase::guard(F&& body) {
  using T = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<T>) {
    try {
      if (!is_open()) sql_fail(make_error_code(errc::not_ready), "database is closed");
      body();
      return std::error_code{};
    } catch (const SqlFailure& failure) {
      last_error_ = failure.message;
      return failure.code;
    }
  } else {
    try {
      if (!is_open()) sql_fail(make_error_code(errc::not_ready), "database is closed");
      return Result<T>(body());
    } catch (const SqlFailure& failure) {
      last_error_ = failure.message;
      return Result<T>(failure.code);
    }
  }
}

}  // namespace neo::storage
