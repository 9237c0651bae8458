// Which endpoints other machines can reach, and the start-up warnings.
#include <catch2/catch.hpp>

#include "opd/worker/security/exposure.h"

using namespace opd::worker::security;

TEST_CASE("local endpoints: loopback, ipc and inproc", "[security][exposure]") {
  for (const char* endpoint : {"tcp://127.0.0.1:5555", "tcp://127.1.2.3:1", "tcp://localhost:5555", "tcp://lo:5555",
                               "tcp://[::1]:5555", "tcp://::1:5555", "ipc:///run/opd/requests", "ipc://@abstract",
                               "inproc://requests"}) {
    INFO(endpoint);
    CHECK(is_local_endpoint(endpoint));
  }
}

TEST_CASE("reachable endpoints: every interface, real addresses, names", "[security][exposure]") {
  for (const char* endpoint :
       {"tcp://*:5555", "tcp://0.0.0.0:5555", "tcp://[::]:5555", "tcp://10.20.0.5:5555", "tcp://eth0:5555",
        "tcp://128.0.0.1:5555", "tcp://127.example.org:5555", "tcp://opd.hospital.local:5555",
        "tcp://[fe80::1]:5555", "ws://127.0.0.1:80", "pgm://eth0;239.192.1.1:5555", "tcp://127.0.0.1"}) {
    INFO(endpoint);
    CHECK_FALSE(is_local_endpoint(endpoint));
  }
}

TEST_CASE("start-up warnings", "[security][exposure]") {
  SECTION("plaintext on every interface: one warning per guarded endpoint") {
    const auto warnings =
        exposure_warnings(false, {{"requests", "tcp://0.0.0.0:5555"}, {"queries", "tcp://0.0.0.0:5557"}});
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[0] ==
          "requests on tcp://0.0.0.0:5555 without CURVE: anyone who can reach it may send anything; give "
          "--curve-secret-key-file and --authorized-keys (docs/operations.md)");
    CHECK(warnings[1].starts_with("queries on tcp://0.0.0.0:5557 without CURVE"));
  }
  SECTION("plaintext on loopback: none") {
    CHECK(exposure_warnings(false, {{"requests", "tcp://127.0.0.1:5555"}, {"queries", "ipc:///tmp/q"}}).empty());
  }
  SECTION("CURVE on every interface: none") {
    CHECK(exposure_warnings(true, {{"requests", "tcp://0.0.0.0:5555"}, {"queries", "tcp://0.0.0.0:5557"}}).empty());
  }
  SECTION("CURVE with inproc: its peers cannot be authenticated") {
    const auto warnings = exposure_warnings(true, {{"requests", "inproc://r"}, {"queries", "tcp://127.0.0.1:1"}});
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == "requests on inproc://r: inproc peers skip the CURVE handshake, so their requests are FORBIDDEN");
  }
}
