// cli/neomigrate/copy.hpp
// The two directions of a migration, each one function: FileStorage -> NEO
// (fs_to_neo.cpp) and NEO -> FileStorage (neo_to_fs.cpp). They report on
// `progress`, write their errors (what happened, what to do) to `err` and
// return an exit status of neomigrate.hpp. `last` is the cluster's last
// transaction (kZeroTid if it has none). One thread.
#pragma once

#include <ostream>
#include <string>

#include "cli/neomigrate/progress.hpp"
#include "importer/file_storage.hpp"
#include "neo/client.hpp"

namespace neo::neomigrate {

// Commits each transaction of `fs` into the cluster with its own tid, in
// file order. Refused (nothing written) if the cluster already has a
// transaction at or after the file's first one.
int copy_fs_to_neo(importer::FileStorage& fs, client::Client& client, Tid last, Progress& progress,
                   std::ostream& err);

// Writes every transaction of the cluster into the new file `path`, which
// must not exist; removed again if the copy fails.
int copy_neo_to_fs(client::Client& client, Tid last, const std::string& path, Progress& progress,
                   std::ostream& err);

}  // namespace neo::neomigrate
