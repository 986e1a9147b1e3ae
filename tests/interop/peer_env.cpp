#include "tests/interop/peer_env.hpp"

#include <cstdlib>

namespace neo::interop {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string peer_pythonpath() { return env_or("NEO_PEER_PYTHONPATH", ""); }

std::string peer_python() { return env_or("NEO_PEER_PYTHON", "/usr/bin/python3"); }

std::string shell_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string peer_python_command() {
  return "PYTHONPATH=" + shell_quote(peer_pythonpath()) + " " + shell_quote(peer_python());
}

}  // namespace neo::interop
