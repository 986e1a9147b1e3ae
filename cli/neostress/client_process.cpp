// neostress client: one writer process. Connects with our client library,
// runs one WriterLoop per thread (writers first..first+threads-1) until
// SIGTERM/SIGINT, appends each acknowledged commit to the acks file (one
// write() per line, O_APPEND: a kill leaves whole lines), and prints its
// counters when it stops.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "cli/neostress/neostress.hpp"
#include "cli/neostress/stress_support.hpp"
#include "cli/neostress/workload.hpp"
#include "core/log/log.hpp"

namespace neo::stress {
namespace {

std::atomic<bool> g_stop{false};

void on_stop(int) { g_stop = true; }

}  // namespace

int run_client(const StressOptions& o) {
  if (!setup_log("neostress client", o.log)) return kExitSetup;
  signal(SIGTERM, on_stop);
  signal(SIGINT, on_stop);
  const int fd = ::open(o.acks.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return std::perror(o.acks.c_str()), kExitSetup;
  auto client = client::Client::connect({.masters = o.attach_masters,
                                         .cluster = o.cluster_name,
                                         .timeout = std::chrono::seconds(30)});
  if (!client) {
    std::fprintf(stderr, "neostress client: cannot connect: %s\n",
                 client.error().message().c_str());
    return kExitSetup;
  }
  auto layout = read_layout(**client);
  if (!layout || layout->writers.size() < o.first_writer + o.threads) {
    std::fprintf(stderr, "neostress client: no neostress layout with writers %u..%u\n",
                 o.first_writer, o.first_writer + o.threads - 1);
    return kExitSetup;
  }
  auto ack = [fd](const Ack& a) {
    const std::string line = format_ack(a);
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
      std::perror("neostress client: acks");
  };
  std::vector<WriterStats> stats(o.threads);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.threads; ++i)
    threads.emplace_back([&, i] {
      const std::uint32_t writer = o.first_writer + i;
      WriterLoop loop(**client, *layout, writer, o.seed * 1000003 + writer, ack);
      loop.run(g_stop, stats[i]);
    });
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < o.threads; ++i)
    std::printf("writer %u: %llu commits, %llu conflicts, %llu failures\n", o.first_writer + i,
                static_cast<unsigned long long>(stats[i].commits.load()),
                static_cast<unsigned long long>(stats[i].conflicts.load()),
                static_cast<unsigned long long>(stats[i].failures.load()));
  ::close(fd);
  log::shutdown();
  return 0;
}

}  // namespace neo::stress
