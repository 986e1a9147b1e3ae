#include "cli/neosimple/options.hpp"

namespace neo::simple {

void add_simple_options(CLI::App& app, SimpleOptions& o) {
  app.add_option("db", o.dbs,
                 "storage databases: SQLite file names (created in the data directory) or paths");
  app.add_option("-n,--storages", o.storages, "number of storage nodes (default 2 without db)");
  app.add_option("--data-dir,--temp_dir", o.data_dir,
                 "directory of the databases, logs and saved settings; reused on restart")
      ->capture_default_str();
  app.add_option("--name", o.name, "cluster name (default: the saved one, else random)");
  app.add_option("--partitions", o.partitions, "number of partitions of a new cluster (1)");
  app.add_option("--replicas", o.replicas, "number of replicas of a new cluster (0)");
  app.add_option("--master_count", o.master_count, "number of master nodes")->capture_default_str();
  app.add_option("--bind_ip", o.bind_ip, "IP address the nodes listen on (127.0.0.1 or ::1)");
  app.add_option("--address_type", o.address_type, "ipv4 or ipv6")
      ->check(CLI::IsMember({"ipv4", "ipv6"}))
      ->capture_default_str();
  app.add_option("--adapter", o.adapter, "storage backend (only SQLite)")
      ->check(CLI::IsMember({"SQLite"}))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "initialize the random choices (cluster name, ports)");
  app.add_option("--port-base", o.port_base,
                 "first port: masters, then storages, then the admin (default: free ports)");
  app.add_option("--bin-dir", o.bin_dir,
                 "directory of neomaster, neostorage, neoadmin and neoctl (default: "
                 "$NEO_SIMPLE_BIN_DIR, else neosimple's own directory)");
  app.add_flag("--autostart", o.autostart, "start a new cluster automatically (the default)");
  app.add_flag("--manual-start", o.manual_start,
               "a new cluster waits in RECOVERING for `neoctl start`");
  app.add_flag("--clear_databases", o.clear_databases, "delete the databases before starting");
  app.add_flag("--cleanup_on_delete", o.cleanup_on_delete,
               "remove the data directory when neosimple exits");
  app.add_flag("--logger", o.logger, "accepted for compatibility (the nodes always log)");
}

std::string validate(SimpleOptions& o) {
  if (o.storages && !o.dbs.empty()) return "give either -n/--storages or databases, not both";
  if (o.storages && *o.storages < 1) return "-n/--storages must be at least 1";
  if (o.master_count < 1) return "--master_count must be at least 1";
  if (o.partitions && *o.partitions < 1) return "--partitions must be at least 1";
  if (o.replicas && *o.replicas < 0) return "--replicas must not be negative";
  if (o.port_base && (*o.port_base < 1 || *o.port_base > 65535)) return "--port-base: bad port";
  if (o.name && o.name->empty()) return "--name must not be empty";
  if (o.data_dir.empty()) return "--data-dir must not be empty";
  if (o.autostart && o.manual_start) return "--autostart and --manual-start are exclusive";
  if (o.bind_ip.empty()) o.bind_ip = o.address_type == "ipv6" ? "::1" : "127.0.0.1";
  const int nodes = o.master_count + storage_count(o) + 1;
  if (o.port_base && *o.port_base + nodes - 1 > 65535) return "--port-base: not enough ports";
  return {};
}

int storage_count(const SimpleOptions& o) {
  if (!o.dbs.empty()) return static_cast<int>(o.dbs.size());
  return o.storages.value_or(2);
}

}  // namespace neo::simple
