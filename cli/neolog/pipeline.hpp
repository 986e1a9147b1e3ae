// Two-thread record pipeline: the reading thread (SQLite steps, merging)
// copies each record (what the sink reads of it) into a batch; a formatting thread renders the
// batches with the real sink into Output. Records reach the sink in the order written.
// Output::sync() (called before every message on stderr) waits until everything written so far has
// been formatted, so that messages keep their place among the records. Owned by merge_records(),
// one per pass; write()/drain() from the reading thread only (the sink, on the formatting thread,
// must not print Diagnostics: drain() would wait for itself).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "cli/neolog/log_reader.hpp"
#include "cli/neolog/output.hpp"
#include "cli/neolog/text_formatter.hpp"

namespace neo::neolog {

class RecordPipeline : public RecordSink {
 public:
  RecordPipeline(RecordSink& sink, Output& out);
  ~RecordPipeline() override;  // drains, then stops the formatting thread
  RecordPipeline(const RecordPipeline&) = delete;
  RecordPipeline& operator=(const RecordPipeline&) = delete;

  // Copies `r` (its views and node label) for the formatting thread.
  void write(const Record& r) override;
  // Returns once every record written has gone through the sink.
  void drain();

 private:
  // Records whose views point into `arena`, which never moves while the
  // batch fills (a record that does not fit starts the next batch).
  struct Batch {
    std::vector<Record> records;
    std::unique_ptr<char[]> arena;
    std::size_t used = 0, capacity = 0;
  };

  bool sink_uses_body(std::int64_t code);  // the sink's answer, cached for the last code
  std::string_view copy(Batch& b, std::string_view s);
  const std::string* intern(const std::string* label);
  void submit();
  void run();  // the formatting thread

  RecordSink& sink_;
  Output& out_;
  const bool pathname_;  // the sink reads it
  std::unique_ptr<Batch> current_;
  std::unordered_set<std::string> labels_;  // node labels (stable addresses)
  const std::string* last_source_ = nullptr;
  const std::string* last_label_ = nullptr;
  std::int64_t last_code_ = -1;
  bool last_uses_body_ = true;

  std::mutex mutex_;
  std::condition_variable filled_, emptied_;
  std::deque<std::unique_ptr<Batch>> full_;   // to format, oldest first
  std::vector<std::unique_ptr<Batch>> free_;  // formatted, for reuse
  bool busy_ = false;                         // the thread is formatting a batch
  bool done_ = false;
  std::thread thread_;
};

}  // namespace neo::neolog
