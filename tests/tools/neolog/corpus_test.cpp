// Acceptance: for every command line of the corpus (tests/data/neolog/
// neolog-spec.json), our neolog, run in the corpus folder with TZ=UTC,
// prints exactly the bytes upstream neolog printed.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tests/unit/neolog/neolog_test_support.hpp"

using namespace neo::neolog::test;

namespace {

// Runs the test in `dir`, back to the previous directory at scope exit
// (even when a REQUIRE ends the test).
class InDirectory {
 public:
  explicit InDirectory(const std::filesystem::path& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InDirectory() {
    std::error_code ec;
    std::filesystem::current_path(old_, ec);
  }

 private:
  std::filesystem::path old_;
};

}  // namespace

TEST_CASE("neolog prints the corpus outputs of upstream neolog byte for byte", "[neolog]") {
  const std::filesystem::path dir = corpus_dir();
  const auto spec = nlohmann::json::parse(read_file(dir / "neolog-spec.json"));
  REQUIRE(spec.size() == 31);
  const InDirectory in_corpus(dir);
  int exact = 0;
  for (const auto& entry : spec) {
    const std::string out_file = entry["out"];
    const auto args = entry["args"].get<std::vector<std::string>>();
    const RunResult r = run(args, "UTC");
    const std::string expected = read_file(dir / out_file);
    INFO(out_file);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.size() == expected.size());
    const bool same = r.out == expected;
    CHECK(same);
    if (same && r.status == 0) {
      ++exact;
    } else {
      const auto diff = std::mismatch(r.out.begin(), r.out.end(), expected.begin(), expected.end());
      const auto at = diff.first - r.out.begin();
      std::cout << "neolog corpus: " << out_file << " differs at byte " << at << "\n";
    }
  }
  std::cout << "neolog corpus: " << exact << "/" << spec.size() << " outputs byte-exact\n";
  CHECK(exact == 31);
}
