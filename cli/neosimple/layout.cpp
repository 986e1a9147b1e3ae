#include "cli/neosimple/layout.hpp"

#include <sstream>

namespace neo::simple {

namespace {

std::string trim(std::string text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

std::optional<int> saved_int(const Settings& saved, const std::string& key) {
  auto it = saved.find(key);
  if (it == saved.end()) return std::nullopt;
  try {
    return std::stoi(it->second);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

Settings parse_settings(const std::string& text) {
  Settings settings;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    if (line.empty() || line[0] == '#') continue;
    const auto equal = line.find('=');
    if (equal == std::string::npos) continue;
    settings[trim(line.substr(0, equal))] = trim(line.substr(equal + 1));
  }
  return settings;
}

std::string format_settings(const Settings& settings) {
  std::string text = "# neosimple: settings of the cluster in this directory\n";
  for (const auto& [key, value] : settings) text += key + " = " + value + "\n";
  return text;
}

Layout::Layout(const SimpleOptions& o, const Settings& saved, std::mt19937_64& rng,
               std::vector<std::string>* notes) {
  auto keep = [&](const char* key, auto requested, auto fallback) {
    using T = decltype(fallback);
    std::optional<T> stored;
    if constexpr (std::is_same_v<T, int>) {
      stored = saved_int(saved, key);
    } else {
      auto it = saved.find(key);
      if (it != saved.end()) stored = it->second;
    }
    if (stored) {
      if (requested && *requested != *stored && notes) {
        std::ostringstream note;
        note << "--" << key << ' ' << *requested << " ignored: the cluster in this directory has "
             << *stored;
        notes->push_back(note.str());
      }
      return *stored;
    }
    return requested ? *requested : fallback;
  };
  name_ = keep("name", o.name, "neo_" + std::to_string(rng() % 1000000));
  partitions_ = keep("partitions", o.partitions, 1);
  replicas_ = keep("replicas", o.replicas, 0);
  bind_ip_ = o.bind_ip.empty() ? "127.0.0.1" : o.bind_ip;
  const std::filesystem::path dir = o.data_dir;
  int next = o.port_base.value_or(0);
  auto port_for = [&](const std::string& label) -> std::uint16_t {
    if (o.port_base) return static_cast<std::uint16_t>(next++);
    return static_cast<std::uint16_t>(saved_int(saved, "port." + label).value_or(0));
  };
  for (int i = 0; i < o.master_count; ++i) {
    const std::string label = i ? "master" + std::to_string(i + 1) : "master";
    masters_.push_back(NodePlan{
        label, "neomaster", port_for(label), {}, dir / (label + ".log"), dir / (label + ".out")});
  }
  const int storages = storage_count(o);
  for (int i = 0; i < storages; ++i) {
    const std::string label = "storage" + std::to_string(i + 1);
    std::filesystem::path db;
    if (i < static_cast<int>(o.dbs.size())) {
      const std::string& given = o.dbs[i];
      db = given.find('/') != std::string::npos ? std::filesystem::path(given)
                                                : dir / (given + ".sqlite");
    } else {
      db = dir / (label + ".sqlite");
    }
    storages_.push_back(NodePlan{label, "neostorage", port_for(label), db, dir / (label + ".log"),
                                 dir / (label + ".out")});
  }
  admin_ =
      NodePlan{"admin", "neoadmin", port_for("admin"), {}, dir / "admin.log", dir / "admin.out"};
}

std::vector<const NodePlan*> Layout::all() const {
  std::vector<const NodePlan*> nodes;
  for (const NodePlan& node : masters_) nodes.push_back(&node);
  for (const NodePlan& node : storages_) nodes.push_back(&node);
  nodes.push_back(&admin_);
  return nodes;
}

std::vector<NodePlan*> Layout::mutable_all() {
  std::vector<NodePlan*> nodes;
  for (NodePlan& node : masters_) nodes.push_back(&node);
  for (NodePlan& node : storages_) nodes.push_back(&node);
  nodes.push_back(&admin_);
  return nodes;
}

bool Layout::ports_assigned() const {
  for (const NodePlan* node : all())
    if (!node->port) return false;
  return true;
}

std::string Layout::address(const NodePlan& node) const {
  const bool v6 = bind_ip_.find(':') != std::string::npos;
  return (v6 ? "[" + bind_ip_ + "]" : bind_ip_) + ":" + std::to_string(node.port);
}

std::string Layout::master_list() const {
  std::string list;
  for (const NodePlan& master : masters_) list += (list.empty() ? "" : " ") + address(master);
  return list;
}

std::vector<std::string> Layout::command(const NodePlan& node, const std::filesystem::path& bin_dir,
                                         bool autostart) const {
  std::vector<std::string> argv = {(bin_dir / node.program).string(),
                                   "-l",
                                   node.log.string(),
                                   "-c",
                                   name_,
                                   "-b",
                                   address(node),
                                   "-m",
                                   master_list()};
  if (node.program == "neomaster") {
    argv.insert(argv.end(), {"-p", std::to_string(partitions_), "-r", std::to_string(replicas_)});
    if (autostart) {
      argv.push_back("-A");
      argv.push_back(std::to_string(storages_.size()));
    }
  } else if (node.program == "neostorage") {
    argv.insert(argv.end(), {"-a", "SQLite", "-d", node.database.string()});
  }
  return argv;
}

Settings Layout::settings() const {
  Settings settings = {{"name", name_},
                       {"partitions", std::to_string(partitions_)},
                       {"replicas", std::to_string(replicas_)}};
  for (const NodePlan* node : all()) settings["port." + node->label] = std::to_string(node->port);
  return settings;
}

}  // namespace neo::simple
