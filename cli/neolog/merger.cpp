#include "cli/neolog/merger.hpp"

#include <limits>

#include "cli/neolog/pipeline.hpp"

namespace neo::neolog {

bool merge_records(const std::vector<LogFile*>& files, RecordSink& formatter, Output& out,
                   const volatile std::sig_atomic_t* stop) {
  RecordPipeline sink(formatter, out);  // formatting on another thread
  std::vector<LogFile*> active;
  for (LogFile* f : files) {
    if (f->current()) active.push_back(f);
  }
  // The file with the oldest record; the first one on equal dates.
  auto oldest = [&](std::size_t skip) {
    std::size_t best = active.size();
    for (std::size_t i = 0; i < active.size(); ++i) {
      if (i != skip &&
          (best == active.size() || active[i]->current()->date < active[best]->current()->date)) {
        best = i;
      }
    }
    return best;
  };
  std::size_t cur = oldest(active.size());
  unsigned count = 0;
  while (!active.empty()) {
    const std::size_t next = oldest(cur);
    const double limit = next < active.size() ? active[next]->current()->date
                                              : std::numeric_limits<double>::infinity();
    LogFile* f = active[cur];
    for (const Record* r = f->current(); r && r->date <= limit; r = f->current()) {
      sink.write(*r);
      f->advance();
      if ((++count & 1023) == 0 && ((stop && *stop) || out.failed())) return false;
    }
    if (out.failed()) return false;
    if (f->current()) {
      cur = next;
    } else {
      active.erase(active.begin() + cur);
      cur = oldest(active.size());
    }
  }
  return !(stop && *stop);
}

}  // namespace neo::neolog
