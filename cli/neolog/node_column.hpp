// The node column of neolog: which name a record is shown under, following
// upstream neolog's rules (node id if known, else logger name, else the file
// name without its extensions). Pure functions, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace neo::neolog {

// NEO/py's uuid_str(): "S1", "M1", "C2", "A1"; "0" for 0; "?<ns>:<n>" for an
// id whose namespace is not a node type (NEO/py would fail on it).
std::string uuid_str(std::int64_t nid);

// Upstream's fallback name of a log file: the base name without its last
// extension, and without one more if the last is a compression extension
// (gz, bz2, xz, zst): master.log -> master, admin.log.1 -> admin.log,
// storage0.log.gz -> storage0, log -> log.
std::string default_node_name(std::string_view path);

struct NodeNaming {
  bool no_nid = false;        // -N: never the node id
  bool show_cluster = false;  // -C: "cluster/S1"
  std::string default_name;   // default_node_name() of the file
};

// A row of the `node` table (or the name column of old tables).
struct NodeIdentity {
  std::optional<std::string> name;
  std::optional<std::string> cluster;
  std::optional<std::int64_t> nid;  // absent if NULL or not an integer
};

// The node column of a record of this node.
std::string node_label(const NodeNaming& naming, const NodeIdentity& node);

}  // namespace neo::neolog
