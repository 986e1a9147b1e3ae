// nodes/storage/storage_import.cpp
// The Importer backend's background import, in slices on the io thread
// while the node is operational (ImporterDatabase::import_step), with its
// progress in the log.
#include <spdlog/spdlog.h>

#include "nodes/storage/storage_app.hpp"

namespace neo::storage {
namespace {

constexpr double kSlice = 0.02;  // seconds of import between other events
constexpr std::chrono::seconds kLogEvery{10};

}  // namespace

void StorageApp::operation_started() {
  if (!importer_ || !importer_->importing() || import_running_) return;
  import_running_ = true;
  import_started_ = import_logged_ = tasks_.now();
  ImporterDatabase::Progress p = importer_->progress();
  import_start_bytes_ = p.bytes;
  SPDLOG_INFO("import of {} starts at transaction {} of {}", importer_->config().sources[0].path,
              p.transactions, p.total_transactions);
  tasks_.post([this] { import_step(); });
}

void StorageApp::import_step() {
  if (!state_.operational()) {  // resumes at the next StartOperation
    import_running_ = false;
    return;
  }
  Result<bool> more = importer_->import_step(kSlice);
  if (!more) return fatal("import: " + more.error().message() + ": " + importer_->last_error());
  if (*more) {
    log_import_progress(false);
    tasks_.post([this] { import_step(); });
    return;
  }
  log_import_progress(true);
  import_running_ = false;
  SPDLOG_WARN(
      "All data are imported. You should change your configuration to use the native backend "
      "and restart.");
}

void StorageApp::log_import_progress(bool force) {
  const auto now = tasks_.now();
  if (!force && now - import_logged_ < kLogEvery) return;
  import_logged_ = now;
  const ImporterDatabase::Progress p = importer_->progress();
  const double seconds = std::chrono::duration<double>(now - import_started_).count() + 1e-9;
  const double rate = double(p.bytes - import_start_bytes_) / seconds;
  const double eta = rate > 0 ? double(p.total_bytes - p.bytes) / rate : 0;
  SPDLOG_INFO("import: {}/{} transactions ({:.1f}%), {:.1f}/{:.1f} MB, {:.1f} MB/s, ETA {:.0f} s",
              p.transactions, p.total_transactions,
              p.total_bytes ? 100.0 * double(p.bytes) / double(p.total_bytes) : 100.0,
              double(p.bytes) / 1e6, double(p.total_bytes) / 1e6, rate / 1e6, eta);
}

}  // namespace neo::storage
