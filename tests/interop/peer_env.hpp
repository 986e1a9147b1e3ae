// Where the upstream NEO/py peer is, from the environment, and how to put it
// on a shell command line. Shared by every interop test.
#pragma once

#include <string>
#include <string_view>

namespace neo::interop {

// $name, or `fallback` if unset or empty.
std::string env_or(const char* name, const std::string& fallback);
// The colon-separated NEO_PEER_PYTHONPATH, or empty if unset.
std::string peer_pythonpath();
// The peer's interpreter: NEO_PEER_PYTHON, else Debian's /usr/bin/python3.
std::string peer_python();
// `text` as one single-quoted shell word.
std::string shell_quote(std::string_view text);
// "PYTHONPATH='<peer path>' '<peer python>'": a shell command prefix.
std::string peer_python_command();

}  // namespace neo::interop
