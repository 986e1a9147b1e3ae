#include "cli/neolog/output.hpp"

#include "cli/neolog/diagnostics.hpp"

namespace neo::neolog {

bool Output::flush() {
  if (!failed() && !buf_.empty()) {
    os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    os_.flush();
    if (!os_) failed_ = true;
  }
  buf_.clear();
  return !failed();
}

void Diagnostics::error(std::string_view file, std::string_view what) {
  failed_ = true;
  print(file, "", what);
}

void Diagnostics::warning(std::string_view file, std::string_view what) {
  print(file, "warning: ", what);
}

void Diagnostics::print(std::string_view file, std::string_view kind, std::string_view what) {
  if (out_) out_->sync();
  err_ << "neolog: ";
  if (!file.empty()) err_ << file << ": ";
  err_ << kind << what << '\n';
  err_.flush();
}

}  // namespace neo::neolog
