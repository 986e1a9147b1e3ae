// tests/support/client_steps.hpp
// Steps of the C++ client library's tests (cluster and interop), with
// Catch2 assertions: begin, commit, new oids. Test code only.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "neo/client.hpp"

namespace neo::test {

inline std::unique_ptr<client::Transaction> begin(client::Client& client,
                                                  const std::string& user = "test") {
  auto txn = client.begin({.user = user, .description = "neo-cpp test"});
  REQUIRE(txn);
  return std::move(*txn);
}

// Commits "<data>/<oid>" as the new revision of each of `oids`, based on
// `serials` (one per oid); the tid.
inline Tid commit(client::Client& client, const std::vector<Oid>& oids,
                  const std::vector<Tid>& serials, const std::string& data) {
  REQUIRE(serials.size() == oids.size());
  auto txn = begin(client);
  for (std::size_t i = 0; i < oids.size(); ++i)
    txn->store(oids[i], serials[i], data + "/" + std::to_string(oids[i].value));
  auto tid = txn->finish();
  INFO(tid.error().message());
  REQUIRE(tid);
  return *tid;
}

// The same, every oid based on `serial`.
inline Tid commit(client::Client& client, const std::vector<Oid>& oids, Tid serial,
                  const std::string& data) {
  return commit(client, oids, std::vector<Tid>(oids.size(), serial), data);
}

inline std::vector<Oid> new_oids(client::Client& client, int count) {
  std::vector<Oid> oids;
  for (int i = 0; i < count; ++i) {
    auto oid = client.new_oid();
    REQUIRE(oid);
    oids.push_back(*oid);
  }
  return oids;
}

}  // namespace neo::test
