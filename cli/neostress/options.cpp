#include "cli/neostress/options.hpp"

namespace neo::stress {

void add_options(CLI::App& app, StressOptions& o) {
  app.add_flag("-6,--ipv6", o.ipv6, "use IPv6 (::1) instead of IPv4 (127.0.0.1)");
  app.add_option("-a,--adapter", o.adapter, "storage backend")->check(CLI::IsMember({"SQLite"}));
  app.add_option("-d,--datadir", o.data_dir,
                 "directory of the databases, logs and reports (default: a new one under $TMPDIR)");
  app.add_option("-m,--masters", o.masters, "number of masters (spares take over)")
      ->capture_default_str();
  app.add_option("-s,--storages", o.storages, "number of storage nodes")->capture_default_str();
  app.add_option("-p,--partitions", o.partitions, "number of partitions")->capture_default_str();
  app.add_option("-r,--replicas", o.replicas, "number of replicas")->capture_default_str();
  app.add_option("--bin-dir", o.bin_dir,
                 "directory of neomaster, neostorage, neoadmin, neoctl (default: beside neostress;"
                 " wrappers of NEO/py's daemons work too)")
      ->envname("NEO_STRESS_BIN_DIR");
  app.add_option("--cluster", o.cluster_name, "cluster name")->capture_default_str();
  app.add_option("--attach", o.attach_masters,
                 "masters of a running cluster to use instead of starting one (with --admin; "
                 "run causes pack faults only there)")
      ->delimiter(',');
  app.add_option("--admin", o.attach_admin, "admin node of the --attach cluster (host:port)");
  app.require_subcommand(1);

  CLI::App* run = app.add_subcommand(
      "run",
      "start a cluster, commit a checkable workload from client processes while faults "
      "are caused, then check the data and the replicas");
  run->add_option("-c,--clients", o.clients, "client processes")->capture_default_str();
  run->add_option("-t,--threads", o.threads, "writer threads per client")->capture_default_str();
  run->add_option("-f,--fault-probability", o.fault_probability,
                  "probability of a fault at each fault period")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  run->add_option("--rate", o.rate, "fault periods per second")->capture_default_str();
  run->add_option("--duration", o.duration, "stop after this many seconds");
  run->add_option("--faults", o.faults, "stop after this many faults");
  run->add_option("--per-kind", o.per_kind, "stop once every kind was caused this many times");
  run->add_option("--kinds", o.kinds,
                  "fault kinds: kill-storage, kill-master, kill-admin, freeze, reset, pack, "
                  "logrotate, disk-full, delay (default: all that apply)")
      ->delimiter(',');
  run->add_option("--seed", o.seed, "seed of the fault and workload choices (0: from the clock)");
  run->add_option("--max-recovery", o.max_recovery,
                  "seconds within which the cluster must be healthy again after a fault")
      ->capture_default_str();
  run->add_option("--freeze", o.freeze_max, "longest SIGSTOP, in seconds")->capture_default_str();
  run->add_flag("--batch", o.batch, "no interactive screen; a progress line every 10 s");
  run->add_flag("--keep", o.keep, "keep the data directory after a successful run");
  run->add_flag("--unsafe", o.unsafe,
                "also faults that can stop the cluster (kill the only master)");
  run->add_flag("--isolate", o.isolate,
                "run in private network and mount namespaces (root): each storage's database on "
                "a tmpfs of its own, and the disk-full and delay faults");
  run->add_option("--disk-size", o.disk_mib, "size of each storage's tmpfs with --isolate, MiB")
      ->capture_default_str();
  run->add_option(
         "--delay-rate", o.delay_kbit,
         "rate of the delayed node's traffic, kbit/s (with a 10-packet queue: delay and loss)")
      ->capture_default_str();
  run->add_option("--json", o.json, "write the summary as JSON to this file ('-': stdout)");

  CLI::App* check = app.add_subcommand(
      "check",
      "check the data neostress wrote (logs, account total, acknowledged commits) and "
      "that the replicas are identical");
  check->add_option("tid", o.tid, "check as of this TID (default: the last one)");
  check->add_option("--acks", o.ack_files, "acknowledgement files of the clients (acks.*)");
  check->add_flag("!--no-replicas", o.check_replicas, "do not compare the replicas");

  CLI::App* client = app.add_subcommand("client", "a writer process (internal)");
  client->group("");  // hidden from --help
  client->add_option("--threads", o.threads)->required();
  client->add_option("--first-writer", o.first_writer)->required();
  client->add_option("--acks", o.acks)->required();
  client->add_option("--log", o.log)->required();
  client->add_option("--seed", o.seed);
  for (CLI::App* sub : {run, check, client})
    sub->final_callback([&o, sub] { o.command = sub->get_name(); });
}

std::string validate(StressOptions& o) {
  if (o.masters < 1 || o.storages < 1 || o.partitions < 1 || o.replicas < 0)
    return "--masters, --storages and --partitions must be at least 1, --replicas at least 0";
  if (o.clients < 1 || o.threads < 1) return "--clients and --threads must be at least 1";
  if (o.attach_masters.empty() != o.attach_admin.empty())
    return "--attach needs --admin, and --admin needs --attach";
  if (o.rate <= 0) return "--rate must be positive";
  for (const std::string& kind : o.kinds) {
    const auto parsed = parse_fault_kind(kind);
    if (!parsed) return "unknown fault kind '" + kind + "' (see --help)";
    if (needs_isolation(*parsed) && !o.isolate) return "the " + kind + " fault needs --isolate";
  }
  if (o.command == "run" && !o.attach_masters.empty()) {
    if (o.isolate) return "--isolate starts a cluster of its own: not with --attach";
    for (const std::string& kind : o.kinds)
      if (parse_fault_kind(kind) != FaultKind::Pack)
        return "with --attach, neostress does not own the nodes: only pack faults (cause the "
               "others yourself while it runs, e.g. kill and restart a node)";
  }
  return "";
}

std::vector<FaultKind> fault_kinds(const StressOptions& o) {
  std::vector<FaultKind> kinds;
  for (const std::string& name : o.kinds) kinds.push_back(*parse_fault_kind(name));
  if (!o.kinds.empty()) return kinds;
  if (!o.attach_masters.empty()) return {FaultKind::Pack};
  for (FaultKind kind : kAllFaults)
    if ((kind != FaultKind::KillMaster || o.masters > 1 || o.unsafe) &&
        (!needs_isolation(kind) || o.isolate))
      kinds.push_back(kind);
  return kinds;
}

}  // namespace neo::stress
