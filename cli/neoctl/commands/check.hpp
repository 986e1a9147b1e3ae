// cli/neoctl/commands/check.hpp
// What check.cpp (the command, its arguments) and check_wait.cpp (its
// --wait mode, which compares the replicas from neoctl) share.
#pragma once

#include <optional>
#include <string>

#include "cli/neoctl/commands/command.hpp"

namespace neo::neoctl {

// Exit status of `check --wait` when some replicas differ (0: identical,
// 1: failure, 2: bad neoctl options).
inline constexpr int kReplicasDiffer = 3;

// check's arguments, "[partition]:[reference] ... [min_tid [max_tid]]", as
// NEO/py's neoctl reads them (":reference" asks the admin for the number
// of partitions). nullopt once a failure was reported.
std::optional<protocol::CheckReplicas> parse_check(Context& ctx, Args args);

// check --wait --cluster NAME: asks the admin for the partition table and
// the storages, compares the readable replicas of the partitions of
// `check` directly with the storages, prints the result (check_wait.cpp).
int run_check_wait(Context& ctx, const protocol::CheckReplicas& check, const std::string& cluster);

}  // namespace neo::neoctl
