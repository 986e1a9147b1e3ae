// core/config/master_list_file.hpp
// The -D/--dynamic-master-list file of the server nodes (spec/config-and-
// cli.md 1.2): the masters this node knows, kept up to date as masters are
// added, moved or removed, so that a restarted node finds the cluster even
// if its -m list is stale. The file holds a JSON array of [host, port]
// pairs, as NEO/py writes it (order does not matter); a missing file is
// created empty. Writes replace the file atomically (temporary + rename).
// Use from one thread.
#pragma once

#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/config/address.hpp"

namespace neo::config {

class MasterListFile {
 public:
  // Reads (or creates) `path`. Throws config::Error if it cannot be read,
  // created, or is not a JSON array of [host, port] pairs.
  explicit MasterListFile(std::string path);

  const std::vector<Address>& addresses() const { return addresses_; }
  const std::string& path() const { return path_; }

  // A master's address changed: `old` (if any) is forgotten and `now` (if
  // any) added; the file is rewritten if the list changed. An error (the
  // list is kept in memory) if the file cannot be written.
  std::error_code update(const std::optional<Address>& old, const std::optional<Address>& now);

 private:
  std::error_code save() const;

  std::string path_;
  std::vector<Address> addresses_;
};

}  // namespace neo::config
