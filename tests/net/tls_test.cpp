// Loopback tests of TLS connections (spec 2.4), with throwaway certificates.
#include "core/net/tls.hpp"

#include <catch2/catch.hpp>

#include "core/net/connection.hpp"
#include "tests/net/net_support.hpp"
#include "tests/net/test_certs.hpp"

namespace protocol = neo::protocol;
using namespace neo::net;
using namespace neo::net::test;
using neo::errc;
using neo::Result;

namespace {

ConnectionOptions tls_options(const TlsFiles& files) {
  auto context = TlsContext::load(files);
  REQUIRE(context);
  ConnectionOptions options;
  options.tls = *context;
  return options;
}

void pong(Peer& peer, const protocol::Frame& frame) {
  if (frame.code == protocol::Ping::kCode) peer.answer(protocol::Pong{});
}

// One PKI for the whole file: CA "ca" signs server, client and revoked;
// CA "other" signs stranger.
struct Pki {
  Pki() {
    pki.make_ca("ca");
    pki.make_ca("other");
    pki.make_cert("ca", "server");
    pki.make_cert("ca", "client");
    revoked_serial = pki.make_cert("ca", "revoked");
    pki.make_cert("other", "stranger");
  }
  TestPki pki;
  long revoked_serial = 0;
};
Pki& shared_pki() {
  static Pki pki;
  return pki;
}

struct Outcome {
  std::shared_ptr<RecordingHandler> client;
  std::shared_ptr<RecordingHandler> server;
  bool pong = false;
};

// Connects a client with `client_options` to a server with `server_options`
// and pings; returns once the ping is answered or both sides are closed.
Outcome ping(const ConnectionOptions& server_options, const ConnectionOptions& client_options,
             const std::string& host = "127.0.0.1") {
  asio::io_context io;
  Server server(io, host, server_options);
  server.on_frame = pong;
  Outcome outcome;
  outcome.client = std::make_shared<RecordingHandler>();
  auto client = Connection::connect(io, server.address(), outcome.client, client_options);
  client->ask(protocol::Ping{}, [&](Result<protocol::Pong> answer, std::string_view) {
    outcome.pong = answer.has_value();
  });
  outcome.server = server.handler(io);
  REQUIRE(run_until(
      io, [&] { return outcome.pong || (outcome.client->closed && outcome.server->closed); }));
  client->close({});
  REQUIRE(run_until(io, [&] { return outcome.server->closed.has_value(); }));
  return outcome;
}

}  // namespace

TEST_CASE("mutual TLS carries NEO packets", "[net][tls]") {
  const std::string host = GENERATE("127.0.0.1", "::1");
  TestPki& pki = shared_pki().pki;
  Outcome outcome =
      ping(tls_options(pki.files("ca", "server")), tls_options(pki.files("ca", "client")), host);
  CHECK(outcome.pong);
  CHECK(outcome.client->connected);
  CHECK(outcome.server->connected);
}

TEST_CASE("a plain client is rejected by a TLS node", "[net][tls]") {
  TestPki& pki = shared_pki().pki;
  Outcome outcome = ping(tls_options(pki.files("ca", "server")), ConnectionOptions{});
  CHECK_FALSE(outcome.pong);
  CHECK(*outcome.server->closed == errc::not_neo);  // logged "Rejecting non-SSL"
  CHECK(*outcome.client->closed == asio::error::eof);
  CHECK_FALSE(outcome.server->connected);
}

TEST_CASE("a TLS client is rejected by a plain node", "[net][tls]") {
  TestPki& pki = shared_pki().pki;
  Outcome outcome = ping(ConnectionOptions{}, tls_options(pki.files("ca", "client")));
  CHECK_FALSE(outcome.pong);
  CHECK(*outcome.client->closed == errc::tls_error);
  CHECK(*outcome.server->closed == errc::not_neo);
}

TEST_CASE("a certificate from another CA is rejected, both ways", "[net][tls]") {
  TestPki& pki = shared_pki().pki;
  SECTION("stranger client") {
    Outcome outcome =
        ping(tls_options(pki.files("ca", "server")), tls_options(pki.files("ca", "stranger")));
    CHECK_FALSE(outcome.pong);
    CHECK(*outcome.server->closed == errc::tls_error);
    CHECK(*outcome.client->closed == errc::tls_error);
  }
  SECTION("stranger server") {
    Outcome outcome =
        ping(tls_options(pki.files("other", "stranger")), tls_options(pki.files("ca", "client")));
    CHECK_FALSE(outcome.pong);
    CHECK(*outcome.client->closed == errc::tls_error);
    CHECK(*outcome.server->closed == errc::tls_error);
  }
}

TEST_CASE("a revoked certificate is rejected when the CA file has a CRL", "[net][tls]") {
  Pki& shared = shared_pki();
  TestPki& pki = shared.pki;
  TlsFiles server = pki.files("ca", "server");
  server.ca = pki.make_ca_with_crl("ca", {shared.revoked_serial});
  CHECK(ping(tls_options(server), tls_options(pki.files("ca", "client"))).pong);
  Outcome outcome = ping(tls_options(server), tls_options(pki.files("ca", "revoked")));
  CHECK_FALSE(outcome.pong);
  CHECK(*outcome.server->closed == errc::tls_error);
}

TEST_CASE("unusable TLS files are reported", "[net][tls]") {
  TestPki& pki = shared_pki().pki;
  TlsFiles missing = pki.files("ca", "server");
  missing.cert += ".missing";
  CHECK(TlsContext::load(missing).error() == errc::tls_error);
  TlsFiles mismatched = pki.files("ca", "server");
  mismatched.key = pki.files("ca", "client").key;
  CHECK(TlsContext::load(mismatched).error() == errc::tls_error);
  TlsFiles not_pem = pki.files("ca", "server");
  not_pem.ca = not_pem.key;  // a key is no CA certificate
  CHECK(TlsContext::load(not_pem).error() == errc::tls_error);
}
