#include "nodes/master/master_config.hpp"

#include <stdexcept>

#include "core/config/address.hpp"
#include "core/daemon/daemon.hpp"

namespace neo::master {

void add_master_options(CLI::App& app, MasterOptions& o) {
  config::add_server_options(app, o.server,
                             {.section = "master", .masters = "", .bind = "127.0.0.1:10000"});
  app.add_option("-A,--autostart", o.autostart,
                 "minimum number of pending storage nodes to automatically start new cluster (to "
                 "avoid unwanted recreation of the cluster, this should be the total number of "
                 "storage nodes)");
  app.add_option("-C,--upstream-cluster", o.upstream_cluster, "the name of cluster to backup");
  app.add_option("-M,--upstream-masters", o.upstream_masters,
                 "list of master nodes in the cluster to backup");
  app.add_flag("-B,--backup", o.backup,
               "transition automatically toward BACKINGUP instead of RUNNING - without passing "
               "through RUNNING - if the cluster is empty (this requires --upstream-cluster and "
               "--upstream-master)");
  app.add_option("-i,--nid", o.nid, "specify an NID to use for this process (testing purpose)");
  app.add_option("-r,--replicas", o.replicas, "replicas number")->capture_default_str();
  app.add_option("-p,--partitions", o.partitions, "partitions number")->capture_default_str();
}

MasterConfig make_config(const MasterOptions& o) {
  if (o.replicas < 0) throw std::runtime_error("replicas must be a positive integer");
  if (o.partitions <= 0) throw std::runtime_error("partitions must be more than zero");
  if (o.partitions > 0xffffffffLL || o.replicas > 0xffffffffLL)
    throw std::runtime_error("too many partitions or replicas");
  if (!o.upstream_cluster.empty() && o.upstream_cluster == o.server.cluster)
    throw std::runtime_error("upstream cluster name must be different from cluster name");
  if (o.upstream_cluster.empty() != o.upstream_masters.empty())
    throw std::runtime_error("--upstream-cluster and --upstream-masters go together");
  if (o.backup && o.upstream_cluster.empty())
    throw std::runtime_error("--backup requires --upstream-cluster and --upstream-masters");
  MasterConfig c;
  c.cluster = o.server.cluster;
  c.bind = daemon::resolve(o.server.bind);
  for (const config::Address& m : o.server.masters) c.masters.push_back(daemon::resolve(m));
  c.dynamic_master_list = o.server.dynamic_master_list;
  if (o.nid) {
    if (*o.nid < INT32_MIN || *o.nid > INT32_MAX) throw std::runtime_error("invalid --nid");
    const NodeId nid{static_cast<std::int32_t>(*o.nid)};
    if (node_type_of(nid) != 0)
      throw std::runtime_error("--nid " + std::to_string(*o.nid) + " is not a master node id");
    c.nid = nid;
  }
  c.autostart = o.autostart;
  c.partitions = static_cast<std::uint32_t>(o.partitions);
  c.replicas = static_cast<std::uint32_t>(o.replicas);
  c.upstream_cluster = o.upstream_cluster;
  if (!o.upstream_masters.empty()) {
    std::vector<config::Address> upstream;
    try {
      upstream = config::parse_master_list(o.upstream_masters);
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string("invalid --upstream-masters: ") + e.what());
    }
    if (upstream.empty()) throw std::runtime_error("--upstream-masters lists no master");
    for (const config::Address& m : upstream) c.upstream_masters.push_back(daemon::resolve(m));
  }
  c.backup = o.backup;
  return c;
}

}  // namespace neo::master
