#include "cli/neolog/options.hpp"

#include <CLI/CLI.hpp>

namespace neo::neolog {

int parse_options(int argc, const char* const* argv, Options& o, std::ostream& out,
                  std::ostream& err) {
  CLI::App app{
      "NEO Log Reader: prints the records of NEO log files (SQLite databases written "
      "by NEO nodes with -l/--logfile), several files merged by date.",
      "neolog"};
  app.footer(
      "Compressed files (.gz, .bz2, .xz, .zst) are decompressed first. Dates (--from, --until) "
      "are a UNIX timestamp, a negative number of seconds before now, or a date such as "
      "2026-11-22, '2026-11-22 03:49:21' (local time) or 2026-11-22T05:49:29+02:00. "
      "Exit status: 0 ok, 1 something could not be read or shown, 2 bad usage. See neolog(1).");
  app.add_flag("-a,--all", o.all, "decode body of packets");
  app.add_flag("-A,--decompress", o.decompress,
               "decompress data when decode body of packets (implies --all)");
  app.add_flag("-c,--color", o.color, "color lines according to severity, remove severity column");
  CLI::Option* date = app.add_option("-d,--date", o.date_format,
                                     "custom date format, according to strftime(3) "
                                     "(default '%F %T'; '' hides the date column)");
  app.add_flag("-f,--follow", o.follow, "output appended data as the file grows");
  app.add_option("-F,--flush", o.flush_pids,
                 "with -f, tell process PID to flush logs (SIGRTMIN) at each iteration "
                 "(repeatable)")
      ->allow_extra_args(false)
      ->type_name("PID");
  app.add_option("-n,--node", o.nodes,
                 "only show log entries from the given node (repeatable); special value '-' "
                 "hides the node column")
      ->allow_extra_args(false)
      ->type_name("NODE");
  app.add_option("-s,--sleep-interval", o.sleep_interval,
                 "with -f, sleep for approximately N seconds between iterations (default 1.0)")
      ->type_name("N");
  app.add_option("--from", o.from,
                 "show records more recent than N: a timestamp if N > 0, now+N if N < 0, or "
                 "a date string")
      ->type_name("N");
  app.add_option("--until", o.until, "show records not more recent than T (same syntax as --from)")
      ->type_name("T");
  app.add_option("--level", o.level,
                 "minimum level of log records: DEBUG, INFO, WARNING, ERROR, CRITICAL or a "
                 "number; packets (level DEBUG) are then hidden unless --packet is given")
      ->type_name("LEVEL");
  app.add_option("--packet", o.packets,
                 "only show packets of this type, by name (e.g. AskObject) or code "
                 "(repeatable); hides log records unless --level is given")
      ->allow_extra_args(false)
      ->type_name("NAME");
  app.add_flag("--json", o.json, "print one JSON object per record");
  CLI::Option* cluster =
      app.add_flag("-C,--cluster", o.cluster, "show cluster name in node column");
  CLI::Option* no_nid = app.add_flag("-N,--no-nid", o.no_nid,
                                     "always show node name (instead of NID) in node column");
  cluster->excludes(no_nid);
  app.add_option("file", o.files, "log file, compressed (gz, bz2, xz or zst) or not")->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "neolog: " << e.what() << "\nRun with --help for more information.\n";
    return 2;
  }
  o.has_date_format = date->count() > 0;
  return -1;
}

}  // namespace neo::neolog
