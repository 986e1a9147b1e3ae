// MariaDbDatabase::guard(), shared by the mariadb_*.cpp files (internal).
#pragma once

#include <type_traits>

#include "nodes/storage/database/mariadb_connection.hpp"
#include "nodes/storage/database/mariadb_database.hpp"

namespace neo::storage {

template <class F>
auto MariaDbDatabase::guard(F&& body) {
  using T = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<T>) {
    try {
      if (!conn_) mariadb::fail(make_error_code(errc::not_ready), "database is closed");
      body();
      return std::error_code{};
    } catch (const mariadb::Failure& failure) {
      last_error_ = failure.message;
      return failure.code;
    }
  } else {
    try {
      if (!conn_) mariadb::fail(make_error_code(errc::not_ready), "database is closed");
      return Result<T>(body());
    } catch (const mariadb::Failure& failure) {
      last_error_ = failure.message;
      return Result<T>(failure.code);
    }
  }
}

}  // namespace neo::storage
