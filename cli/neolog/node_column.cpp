#include "cli/neolog/node_column.hpp"

#include <array>

namespace neo::neolog {

std::string uuid_str(std::int64_t nid) {
  if (nid == 0) return "0";
  const std::int64_t ns = nid >> 24;  // arithmetic shift, as Python's
  const std::string counter = std::to_string(nid & 0xffffff);
  switch (ns) {
    case 0:
      return "S" + counter;
    case -0x10:
      return "M" + counter;
    case -0x20:
      return "C" + counter;
    case -0x30:
      return "A" + counter;
  }
  return "?" + std::to_string(ns) + ":" + counter;
}

std::string default_node_name(std::string_view path) {
  const auto slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return std::string(name);
  const std::string_view ext = name.substr(dot + 1);
  name = name.substr(0, dot);
  constexpr std::array<std::string_view, 4> kCompressed = {"gz", "bz2", "xz", "zst"};
  for (std::string_view c : kCompressed) {
    if (ext == c) return std::string(name.substr(0, name.rfind('.')));
  }
  return std::string(name);
}

std::string node_label(const NodeNaming& naming, const NodeIdentity& node) {
  std::string label;
  if (node.nid && *node.nid != 0 && !naming.no_nid) {
    label = uuid_str(*node.nid);
    if (naming.show_cluster) label = node.cluster.value_or("None") + "/" + label;
  } else if (node.name) {
    label = *node.name;
  }
  if (label.empty()) label = naming.default_name;
  return label;
}

}  // namespace neo::neolog
