// tests/cluster/cluster_client.hpp
// A C++ client (include/neo/client.hpp) connected to a LocalCluster, with
// Catch2 assertions (the cluster's diagnostics on failure). Test code only.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "neo/client.hpp"
#include "tests/cluster/local_cluster.hpp"

namespace neo::test {

// `options` with the cluster's master and name filled in.
inline std::unique_ptr<client::Client> connect_client(const LocalCluster& cluster,
                                                      client::Options options = {
                                                          .timeout = std::chrono::seconds(20)}) {
  options.masters = {cluster.master_address()};
  options.cluster = cluster.options().name;
  auto client = client::Client::connect(std::move(options));
  INFO((client ? "" : client.error().message()) << cluster.diagnostics());
  REQUIRE(client);
  return std::move(*client);
}

}  // namespace neo::test
