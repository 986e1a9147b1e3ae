// Throwaway X.509 material for TLS tests, made in-process with OpenSSL:
// a CA, certificates it signs (strict-X.509 friendly), CRLs. Files go to a
// fresh temporary directory removed by the destructor; never committed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/net/tls.hpp"

namespace neo::net::test {

class TestPki {
 public:
  TestPki();  // creates the temporary directory
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // Creates CA `ca` (ca.pem, ca.key in dir()).
  void make_ca(const std::string& ca);
  // Creates `name`.pem / `name`.key signed by CA `ca`; returns its serial.
  long make_cert(const std::string& ca, const std::string& name);
  // Writes `ca`-crl.pem: the CA certificate followed by a CRL revoking
  // `revoked` serials (use it as the CA file to enable CRL checks).
  std::string make_ca_with_crl(const std::string& ca, const std::vector<long>& revoked);

  // {ca file, cert, key} of `name` signed by `ca`.
  TlsFiles files(const std::string& ca, const std::string& name) const;

 private:
  std::filesystem::path dir_;
  long next_serial_ = 1;
};

}  // namespace neo::net::test
