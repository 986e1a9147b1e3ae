// Replays the FileStorage fuzz target (filestorage_fuzz.cpp) on a
// deterministic seed set made from the samples ZODB wrote
// (tests/data/filestorage; run by CTest with any compiler), or on given
// files (to reproduce a libFuzzer crash), and writes a seed corpus:
//   filestorage_fuzz_replay                     all generated seeds
//   filestorage_fuzz_replay FILE...             these inputs
//   filestorage_fuzz_replay --write-corpus DIR  write the whole files to DIR
// Seeds: each whole sample; every truncation and byte flips (^0x01, ^0x80,
// =0xff) at every offset of inprogress.fs; one of these four in turn at
// every offset of the first 37 KB of history.fs (up to just after its first
// backpointer).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/test_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

void run(std::string_view input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// At every offset of `base`: a truncation and three flips (`all`), or one
// of them in turn.
std::size_t mutate(const std::string& base, bool all) {
  std::size_t runs = 0;
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (int kind = 0; kind < 4; ++kind) {
      if (!all && kind != int(at % 4)) continue;
      std::string changed = base;
      if (kind == 0) changed.resize(at);
      if (kind == 1 || kind == 2) changed[at] = char(changed[at] ^ (kind == 1 ? 0x01 : 0x80));
      if (kind == 3) changed[at] = char(0xff);
      run(changed);
      ++runs;
    }
  }
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  const std::filesystem::path dir = neo::test::test_data_dir() / "filestorage";
  std::vector<std::string> samples;
  for (const char* name : {"small.fs", "history.fs", "features.fs", "inprogress.fs"})
    samples.push_back(read_file(dir / name));
  if (argc == 3 && std::string_view(argv[1]) == "--write-corpus") {
    std::filesystem::create_directories(argv[2]);
    for (std::size_t i = 0; i < samples.size(); ++i)
      std::ofstream(std::filesystem::path(argv[2]) / ("seed-" + std::to_string(i)),
                    std::ios::binary)
          << samples[i];
    return 0;
  }
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) run(read_file(argv[i]));
    return 0;
  }
  std::size_t runs = 0;
  for (const std::string& sample : samples) run(sample), ++runs;
  runs += mutate(samples[3], true);
  runs += mutate(samples[1].substr(0, 36491 + 340 + 8), false);  // history.fs: first backpointer
  std::printf("%zu inputs replayed\n", runs);
  return 0;
}
