// A Python description of the protocol for log files: the `protocol` table of
// a log database holds (bz2-compressed) Python source that upstream NEO/py's
// neolog executes to name and decode packets (spec/log-format.md 1.1, 4.2).
// NEO/py stores its own protocol.py; we store this text, generated from our
// packet table, which defines just what neolog uses: `Packets` (code -> class
// named after the packet, with `_code`, `data_path` for the object-data
// packets, `_neolog` for Error and NotifyNodeInformation), `uuid_str` and an
// msgpack `Unpacker` turning ext values into enum items printed as NEO/py's
// (`<EnumItem UP_TO_DATE (1)>`). Our own neolog ignores it.
#pragma once

#include <string>

namespace neo::protocol {

// The Python source (plain text; core/log compresses it). Always the same
// for a given build.
std::string python_description();

}  // namespace neo::protocol
