#include "cli/neolog/neolog.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>

#include "cli/neolog/date_parse.hpp"
#include "cli/neolog/decompress.hpp"
#include "cli/neolog/diagnostics.hpp"
#include "cli/neolog/json_formatter.hpp"
#include "cli/neolog/log_reader.hpp"
#include "cli/neolog/merger.hpp"
#include "cli/neolog/node_column.hpp"
#include "cli/neolog/options.hpp"
#include "cli/neolog/packet_table.hpp"

namespace neo::neolog {
namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int usage_error(std::ostream& err, const std::string& what) {
  err << "neolog: " << what << "\nRun with --help for more information.\n";
  return 2;
}

std::optional<std::int64_t> parse_level(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const std::pair<const char*, int> kLevels[] = {
      {"DEBUG", 10}, {"INFO", 20}, {"WARNING", 30}, {"WARN", 30}, {"ERROR", 40}, {"CRITICAL", 50}};
  for (const auto& [name, value] : kLevels) {
    if (text == name) return value;
  }
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0) return std::nullopt;
  return v;
}

// Reads --from/--until; a zero or NaN --from means no filter, as upstream.
bool time_option(const std::string& name, const std::string& text, std::optional<double>& value,
                 std::ostream& err) {
  if (text.empty()) return true;
  std::string error;
  auto arg = parse_time_arg(text, now(), error);
  if (!arg) {
    usage_error(err, name + ": " + error);
    return false;
  }
  if (!arg->warning.empty()) err << "neolog: warning: " << arg->warning << '\n';
  if (arg->timestamp != 0 && !std::isnan(arg->timestamp)) value = arg->timestamp;
  return true;
}

// Opens one file of the command line, decompressing it first if needed.
std::unique_ptr<LogFile> open_file(const std::string& path, const ReadOptions& read,
                                   Diagnostics& diag) {
  auto file = std::make_unique<LogFile>(path, default_node_name(path), read, diag);
  const Compression c = compression_of(path);
  if (c == Compression::None) return file->open(path) ? std::move(file) : nullptr;
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    diag.error(path, std::strerror(errno));
    return nullptr;
  }
  TempFile temp;
  if (!temp.ok()) {
    ::close(in);
    diag.error(path, temp.error());
    return nullptr;
  }
  const DecompressStatus st = decompress_fd(c, in, temp.fd());
  ::close(in);
  if (!st.complete) {
    diag.error(path, std::string(compression_name(c)) + ": " + st.error +
                         (st.output > 0 ? "; showing what could be decompressed" : ""));
    if (st.output == 0) return nullptr;
  }
  const bool ok = file->open(temp.path());
  temp.unlink_now();  // SQLite keeps it open; nothing is left behind
  return ok ? std::move(file) : nullptr;
}

// Sleeps `seconds`, waking early if a graceful stop was asked.
void sleep_for(double seconds) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                   std::chrono::duration<double>(seconds));
  while (!*stop_flag()) {
    const Clock::duration left = end - Clock::now();
    if (left <= Clock::duration::zero()) return;
    std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(50)));
  }
}

// The reading side of the options; -1 if fine, else the exit status (2).
int read_options(const Options& o, ReadOptions& read, std::ostream& err) {
  read.no_nid = o.no_nid;
  read.show_cluster = o.cluster;
  read.follow = o.follow;
  if (!time_option("--from", o.from, read.from, err)) return 2;
  if (!time_option("--until", o.until, read.until, err)) return 2;
  if (!o.level.empty()) {
    read.min_level = parse_level(o.level);
    if (!read.min_level) return usage_error(err, "--level: unknown level '" + o.level + "'");
  }
  for (const std::string& name : o.packets) {
    auto code = packet_code(name);
    if (!code) return usage_error(err, "--packet: unknown packet '" + name + "'");
    read.packet_codes.push_back(*code);
  }
  // Packets count as DEBUG records for --level; --packet alone shows only packets.
  read.logs = o.packets.empty() || read.min_level.has_value();
  read.packets = !o.packets.empty() || !read.min_level || *read.min_level <= 10;
  return -1;
}

TextOptions text_options(const Options& o) {
  TextOptions text;
  if (o.has_date_format) text.date_format = o.date_format;
  text.color = o.color;
  text.decode = o.decompress ? DecodeLevel::Data
                : o.all      ? DecodeLevel::Arguments
                             : DecodeLevel::Names;
  text.nodes = o.nodes;
  auto dash = std::find(text.nodes.begin(), text.nodes.end(), std::string("-"));
  if (dash != text.nodes.end()) {
    text.nodes.erase(dash);  // only the first "-", as upstream
    text.node_column = false;
  }
  return text;
}

// Follow mode, between passes: ask the writers to flush, then wait.
void pause(const Options& o, Diagnostics& diag, bool& warned) {
  for (const int pid : o.flush_pids) {
    if (::kill(pid, SIGRTMIN) != 0 && !warned) {
      diag.warning("",
                   "cannot signal process " + std::to_string(pid) + ": " + std::strerror(errno));
      warned = true;
    }
  }
  set_sleeping(true);
  sleep_for(o.sleep_interval);
  set_sleeping(false);
}

}  // namespace

int run_neolog(int argc, const char* const* argv, std::ostream& out_stream, std::ostream& err) {
  ::tzset();
  Options o;
  if (const int status = parse_options(argc, argv, o, out_stream, err); status >= 0) return status;
  if (!(o.sleep_interval > 0)) return usage_error(err, "sleep_interval must be positive");
  ReadOptions read;
  if (const int status = read_options(o, read, err); status >= 0) return status;
  const TextOptions text = text_options(o);

  Output out(out_stream);
  Diagnostics diag(err);
  diag.set_output(&out);
  SignalScope signals(o.follow);
  std::vector<std::unique_ptr<LogFile>> files;
  for (const std::string& path : o.files) {
    if (auto f = open_file(path, read, diag)) files.push_back(std::move(f));
  }
  std::unique_ptr<RecordSink> sink;
  if (o.json) {
    sink = std::make_unique<JsonFormatter>(text.nodes, text.decode, out);
  } else {
    sink = std::make_unique<TextFormatter>(text, out);
  }
  bool flush_warned = false;
  while (!*stop_flag()) {
    // A rotated log is read to its end, then the new file at its path.
    std::vector<LogFile*> pass, rotated;
    for (auto& f : files) {
      if (o.follow && compression_of(f->display()) == Compression::None &&
          f->replaced(f->display())) {
        rotated.push_back(f.get());
      }
      if (f->begin_pass()) pass.push_back(f.get());
    }
    merge_records(pass, *sink, out, stop_flag());
    for (LogFile* f : pass) f->end_pass();
    for (LogFile* f : rotated) f->reopen(f->display());
    if (!out.flush()) return 1;  // e.g. the reader of a pipe went away
    if (!o.follow) break;
    pause(o, diag, flush_warned);
  }
  return diag.failed() || files.empty() ? 1 : 0;
}

}  // namespace neo::neolog
