#include "core/net/tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>

#include "core/net/detail/tls_context.hpp"

namespace neo::net {
namespace {

bool has_crl(X509_STORE* store) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_CRL) return true;
  }
  return false;
}

}  // namespace

TlsContext::TlsContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TlsContext::~TlsContext() = default;

Result<std::shared_ptr<const TlsContext>> TlsContext::load(const TlsFiles& files) {
  auto impl = std::make_unique<Impl>();
  asio::ssl::context& context = impl->context;
  SSL_CTX* ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  // Mutual authentication against the cluster CA; no host name check.
  context.set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
  asio::error_code ec;
  const char* step = "CA";
  const std::string* file = &files.ca;
  context.load_verify_file(files.ca, ec);
  if (!ec) {
    step = "certificate";
    file = &files.cert;
    context.use_certificate_chain_file(files.cert, ec);
  }
  if (!ec) {
    step = "key";
    file = &files.key;
    context.use_private_key_file(files.key, asio::ssl::context::pem, ec);
  }
  if (ec) {
    spdlog::error("TLS: cannot load the {} from {}: {}", step, *file, ec.message());
    return errc::tls_error;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    spdlog::error("TLS: the key in {} does not match the certificate in {}", files.key, files.cert);
    return errc::tls_error;
  }
  unsigned long flags = X509_V_FLAG_X509_STRICT;
  if (has_crl(SSL_CTX_get_cert_store(ctx))) flags |= X509_V_FLAG_CRL_CHECK;
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), flags);
  spdlog::info("TLS enabled (CA {}, TLS 1.2 minimum)", files.ca);
  return std::shared_ptr<const TlsContext>(new TlsContext(std::move(impl)));
}

}  // namespace neo::net
