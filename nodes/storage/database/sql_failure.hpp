// The failure the SQL backends throw inside (internal to this folder): an
// error code (the driver's category or neo::errc) and details. SqlDatabase's
// guard() turns it into the error code of the public call and last_error();
// nothing throws past that boundary.
#pragma once

#include <string>
#include <system_error>

namespace neo::storage {

struct SqlFailure {
  std::error_code code;
  std::string message;
};

[[noreturn]] void sql_fail(std::error_code code, std::string message);

}  // namespace neo::storage
