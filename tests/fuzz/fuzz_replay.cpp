// Replays the protocol fuzz target on a deterministic seed set generated
// from the golden vectors (run by CTest with any compiler), or on given
// files (to reproduce a libFuzzer crash), and writes a seed corpus for real
// libFuzzer runs:
//   protocol_fuzz_replay                       all generated seeds
//   protocol_fuzz_replay FILE...               these inputs
//   protocol_fuzz_replay --write-corpus DIR    write the base seeds to DIR
// Seeds: every frame of tests/data/protocol/packets.jsonl and trace_*.jsonl
// (a missing file: exit status 2, naming it), the handshake
// records, the stream, each frame after a handshake, every truncation of
// every frame, and byte flips (^0x01, ^0x80, =0xff) at every offset.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/protocol/frame_reader.hpp"
#include "tests/support/test_data.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int run(std::string_view input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Whole inputs from the vectors: frames, handshakes, the stream.
std::vector<std::string> base_seeds(const std::string& dir, std::vector<std::string>& frames) {
  std::vector<std::string> seeds;
  for (const char* file :
       {"packets.jsonl", "trace_client_session.jsonl", "trace_master_cluster_setup.jsonl",
        "trace_storage_joining.jsonl", "trace_storage_serving.jsonl"}) {
    std::ifstream in(dir + "/" + file);
    if (!in) {
      std::fprintf(stderr, "cannot read %s/%s\n", dir.c_str(), file);
      std::exit(2);
    }
    for (std::string line; std::getline(in, line);) {
      const auto record = nlohmann::json::parse(line);
      const std::string kind = record["kind"];
      if (kind == "stream") seeds.push_back(unhex(record["stream_hex"].get<std::string>()));
      if (!record.contains("frame_hex")) continue;
      const std::string bytes = unhex(record["frame_hex"].get<std::string>());
      seeds.push_back(bytes);
      if (kind == "packet" || kind == "trace_packet") {
        frames.push_back(bytes);
        seeds.push_back(std::string(neo::protocol::kHandshake) + bytes);
      }
    }
  }
  return seeds;
}

int write_corpus(const std::filesystem::path& dir, const std::vector<std::string>& seeds) {
  std::filesystem::create_directories(dir);
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "seed-%05zu", i);
    std::ofstream(dir / name, std::ios::binary) << seeds[i];
  }
  std::printf("wrote %zu seeds to %s\n", seeds.size(), dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] != "--write-corpus") {
    for (const std::string& file : args) run(read_file(file));
    std::printf("replayed %zu inputs\n", args.size());
    return 0;
  }
  const std::string dir = (neo::test::test_data_dir() / "protocol").string();
  std::vector<std::string> frames;
  const std::vector<std::string> seeds = base_seeds(dir, frames);
  if (args.size() == 2) return write_corpus(args[1], seeds);
  if (!args.empty()) {
    std::fprintf(stderr, "usage: %s [--write-corpus DIR | FILE...]\n", argv[0]);
    return 2;
  }
  std::size_t runs = 0;
  for (const std::string& seed : seeds) runs += 1 + run(seed);
  for (const std::string& frame : frames) {
    for (std::size_t size = 0; size < frame.size(); ++size, ++runs) run(frame.substr(0, size));
    for (std::size_t i = 0; i < frame.size(); ++i) {
      for (int flip : {0x01, 0x80, 0x100}) {
        std::string mutated = frame;
        mutated[i] = static_cast<char>(flip == 0x100 ? 0xff : mutated[i] ^ flip);
        runs += 1 + run(mutated);
      }
    }
  }
  std::printf("replayed %zu generated inputs from %zu frames\n", runs, frames.size());
  return 0;
}
