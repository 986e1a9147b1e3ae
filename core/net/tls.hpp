// TLS for NEO connections (spec 2.4): enabled when a node is given a CA,
// a certificate and its key (PEM files). Mutual authentication against the
// cluster CA, X.509 strict, CRL check of the leaf when the CA file holds
// CRLs, no host name check. TLS 1.2 minimum (what NEO/py speaks); 1.3 is
// allowed, so two of our nodes may use it. The connecting side is the TLS
// client; an accepting node rejects a stream not starting with 0x16.
#pragma once

#include <memory>
#include <string>

#include "core/util/error.hpp"

namespace neo::net {

struct TlsFiles {
  std::string ca;    // CA certificate(s), optionally followed by CRLs
  std::string cert;  // this node's certificate (chain)
  std::string key;   // its private key
};

// A loaded, immutable TLS configuration shared by every connection of a
// node. Asio's ssl::context lives behind it (see detail/tls_context.hpp).
class TlsContext {
 public:
  // Loads and checks the files; errc::tls_error (details logged) if one is
  // unreadable, invalid, or the key does not match the certificate.
  static Result<std::shared_ptr<const TlsContext>> load(const TlsFiles& files);

  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  explicit TlsContext(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace neo::net
