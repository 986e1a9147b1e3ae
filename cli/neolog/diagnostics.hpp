// Messages for the operator on stderr ("neolog: <file>: <what>"), and the
// exit status they imply: errors (something could not be shown) make it 1.
#pragma once

#include <ostream>
#include <string_view>

namespace neo::neolog {

class Output;

class Diagnostics {
 public:
  explicit Diagnostics(std::ostream& err) : err_(err) {}
  // Flushed before each message, so that it appears after the records shown.
  void set_output(Output* out) { out_ = out; }

  // Something could not be shown: exit status 1.
  void error(std::string_view file, std::string_view what);
  // Worth knowing, does not change the exit status.
  void warning(std::string_view file, std::string_view what);

  bool failed() const { return failed_; }

 private:
  void print(std::string_view file, std::string_view kind, std::string_view what);

  std::ostream& err_;
  Output* out_ = nullptr;
  bool failed_ = false;
};

}  // namespace neo::neolog
