#include "tests/net/test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <memory>

namespace neo::net::test {
namespace {

struct Deleter {
  void operator()(X509* p) const { X509_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509_CRL* p) const { X509_CRL_free(p); }
  void operator()(X509_REVOKED* p) const { X509_REVOKED_free(p); }
  void operator()(ASN1_STRING* p) const { ASN1_STRING_free(p); }  // ASN1_INTEGER, ASN1_TIME
};
template <class T>
using Ptr = std::unique_ptr<T, Deleter>;

struct Identity {
  Ptr<X509> cert;
  Ptr<EVP_PKEY> key;
};
// Per process: CAs made by any TestPki, by path of their certificate.
std::map<std::string, Identity>& cas() {
  static std::map<std::string, Identity> map;
  return map;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  REQUIRE(ext);
  REQUIRE(X509_add_ext(cert, ext, -1) == 1);
  X509_EXTENSION_free(ext);
}

Ptr<X509> new_cert(EVP_PKEY* key, const std::string& cn, long serial) {
  Ptr<X509> cert(X509_new());
  X509_set_version(cert.get(), 2);  // v3
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600L * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("neo-cpp tests"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  return cert;
}

void write_pem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key, X509_CRL* crl,
               const char* mode = "w") {
  FILE* f = std::fopen(path.c_str(), mode);
  REQUIRE(f);
  if (cert) REQUIRE(PEM_write_X509(f, cert) == 1);
  if (key) REQUIRE(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  if (crl) REQUIRE(PEM_write_X509_CRL(f, crl) == 1);
  std::fclose(f);
}

}  // namespace

TestPki::TestPki() {
  std::string pattern = (std::filesystem::temp_directory_path() / "neo-tls-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()));
  dir_ = pattern;
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::make_ca(const std::string& ca) {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  REQUIRE(key);
  Ptr<X509> cert = new_cert(key.get(), ca, next_serial_++);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  REQUIRE(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0);
  write_pem(dir_ / (ca + ".pem"), cert.get(), nullptr, nullptr);
  write_pem(dir_ / (ca + ".key"), nullptr, key.get(), nullptr);
  cas()[(dir_ / ca).string()] = Identity{std::move(cert), std::move(key)};
}

long TestPki::make_cert(const std::string& ca, const std::string& name) {
  const Identity& issuer = cas().at((dir_ / ca).string());
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  REQUIRE(key);
  const long serial = next_serial_++;
  Ptr<X509> cert = new_cert(key.get(), name, serial);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer.cert.get()));
  add_ext(cert.get(), issuer.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), issuer.cert.get(), NID_key_usage,
          "critical,digitalSignature,keyEncipherment");
  add_ext(cert.get(), issuer.cert.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  add_ext(cert.get(), issuer.cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
  add_ext(cert.get(), issuer.cert.get(), NID_subject_key_identifier, "hash");
  add_ext(cert.get(), issuer.cert.get(), NID_authority_key_identifier, "keyid:always");
  REQUIRE(X509_sign(cert.get(), issuer.key.get(), EVP_sha256()) > 0);
  write_pem(dir_ / (name + ".pem"), cert.get(), nullptr, nullptr);
  write_pem(dir_ / (name + ".key"), nullptr, key.get(), nullptr);
  return serial;
}

std::string TestPki::make_ca_with_crl(const std::string& ca, const std::vector<long>& revoked) {
  const Identity& issuer = cas().at((dir_ / ca).string());
  Ptr<X509_CRL> crl(X509_CRL_new());
  X509_CRL_set_version(crl.get(), 1);  // v2
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get()));
  Ptr<ASN1_TIME> last(X509_gmtime_adj(nullptr, -60));
  Ptr<ASN1_TIME> next(X509_gmtime_adj(nullptr, 3600L * 24));
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  for (long serial : revoked) {
    Ptr<X509_REVOKED> entry(X509_REVOKED_new());
    Ptr<ASN1_INTEGER> number(ASN1_INTEGER_new());
    ASN1_INTEGER_set(number.get(), serial);
    X509_REVOKED_set_serialNumber(entry.get(), number.get());
    X509_REVOKED_set_revocationDate(entry.get(), last.get());
    REQUIRE(X509_CRL_add0_revoked(crl.get(), entry.release()) == 1);
  }
  X509_CRL_sort(crl.get());
  {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer.cert.get(), nullptr, nullptr, crl.get(), 0);
    X509_EXTENSION* akid =
        X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always");
    REQUIRE(akid);
    X509_CRL_add_ext(crl.get(), akid, -1);
    X509_EXTENSION_free(akid);
  }
  REQUIRE(X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) > 0);
  const std::filesystem::path path = dir_ / (ca + "-crl.pem");
  write_pem(path, issuer.cert.get(), nullptr, crl.get());
  return path.string();
}

TlsFiles TestPki::files(const std::string& ca, const std::string& name) const {
  return TlsFiles{(dir_ / (ca + ".pem")).string(), (dir_ / (name + ".pem")).string(),
                  (dir_ / (name + ".key")).string()};
}

}  // namespace neo::net::test
