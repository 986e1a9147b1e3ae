// Internal to core/net: what TlsContext wraps. Includes Asio's SSL headers;
// only core/net .cpp files include it.
#pragma once

#include <asio/ssl/context.hpp>

#include "core/net/tls.hpp"

namespace neo::net {

struct TlsContext::Impl {
  asio::ssl::context context{asio::ssl::context::tls};
};

}  // namespace neo::net
