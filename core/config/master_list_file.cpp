#include "core/config/master_list_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace neo::config {
namespace {

std::vector<Address> parse(const std::string& path, const std::string& text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not a JSON list of masters: " + e.what());
  }
  if (!json.is_array()) throw Error(path + ": not a JSON list of [host, port] pairs");
  std::vector<Address> addresses;
  for (const nlohmann::json& entry : json) {
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() ||
        !entry[1].is_number_unsigned() || entry[1].get<std::uint64_t>() > 65535)
      throw Error(path + ": invalid master entry " + entry.dump() + " (expected [host, port])");
    addresses.push_back({entry[0].get<std::string>(), entry[1].get<std::uint16_t>()});
  }
  return addresses;
}

}  // namespace

MasterListFile::MasterListFile(std::string path) : path_(std::move(path)) {
  std::ifstream in(path_);
  if (!in) {
    if (errno != ENOENT) throw Error("cannot read " + path_ + ": " + std::strerror(errno));
    if (save()) throw Error("cannot create " + path_ + ": " + std::strerror(errno));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  addresses_ = parse(path_, text.str());
}

std::error_code MasterListFile::update(const std::optional<Address>& old,
                                       const std::optional<Address>& now) {
  bool changed = false;
  if (old) {
    const auto it = std::find(addresses_.begin(), addresses_.end(), *old);
    if (it != addresses_.end() && (!now || *now != *old)) {
      addresses_.erase(it);
      changed = true;
    }
  }
  if (now && std::find(addresses_.begin(), addresses_.end(), *now) == addresses_.end()) {
    addresses_.push_back(*now);
    changed = true;
  }
  return changed ? save() : std::error_code{};
}

std::error_code MasterListFile::save() const {
  // Python's json.dump of a list of tuples: [["127.0.0.1", 10000], ...].
  std::string text = "[";
  for (const Address& address : addresses_) {
    if (text.size() > 1) text += ", ";
    text += "[" + nlohmann::json(address.host).dump() + ", " + std::to_string(address.port) + "]";
  }
  text += "]";
  const std::string temporary = path_ + "#neo#";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      const std::error_code ec(errno ? errno : EIO, std::generic_category());
      std::remove(temporary.c_str());
      return ec;
    }
  }
  if (std::rename(temporary.c_str(), path_.c_str()) != 0) {
    const std::error_code ec(errno, std::generic_category());
    std::remove(temporary.c_str());
    return ec;
  }
  return {};
}

}  // namespace neo::config
