// The authorised-keys file: strict parsing, errors naming file and line.
#include <sys/stat.h>

#include <fstream>

#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/security/authorized_keys.h"

using namespace opd::worker::security;
using opd::worker::test::TempDir;

namespace {

const std::string kA = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";  // RFC 32's server public key
const std::string kB = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";  // RFC 32's client public key

CurveKey key(const std::string& z85) { return *CurveKey::from_z85(z85); }

}  // namespace

TEST_CASE("authorised keys: roles, comments and blank lines", "[security][authorized_keys]") {
  const auto load = parse_authorized_keys("# the kiosks\n"
                                          "\n" +
                                              kA + "  kiosk   entrance kiosk 1  \n" +  //
                                              "   # an indented comment\n" +           //
                                              kB + "\tadmin\t# OPD office\r\n",
                                          "keys");
  REQUIRE(load.keys.has_value());
  CHECK(load.error.empty());
  CHECK(load.keys->size() == 2);
  const AuthorizedKey* a = load.keys->find(key(kA));
  REQUIRE(a != nullptr);
  CHECK(a->role == Role::kKiosk);
  CHECK(a->comment == "entrance kiosk 1");
  CHECK(a->line == 3);
  const AuthorizedKey* b = load.keys->find(key(kB));
  REQUIRE(b != nullptr);
  CHECK(b->role == Role::kAdmin);
  CHECK(b->comment == "OPD office");
  CHECK(b->line == 5);
  CHECK(load.keys->find(generate_key_pair().public_key) == nullptr);
}

TEST_CASE("authorised keys: a comment is optional, an empty file admits nobody", "[security][authorized_keys]") {
  const auto one = parse_authorized_keys(kA + " desk", "keys");
  REQUIRE(one.keys.has_value());
  CHECK(one.keys->find(key(kA))->role == Role::kDesk);
  CHECK(one.keys->find(key(kA))->comment.empty());

  const auto none = parse_authorized_keys("# nobody yet\n", "keys");
  REQUIRE(none.keys.has_value());
  CHECK(none.keys->size() == 0);
}

TEST_CASE("authorised keys: a commented-out entry is a comment", "[security][authorized_keys]") {
  const auto load = parse_authorized_keys("#" + kA + " kiosk disabled\n# " + kB + " admin\n", "keys");
  REQUIRE(load.keys.has_value());
  CHECK(load.keys->size() == 0);
}

TEST_CASE("authorised keys: every error names the file and the line", "[security][authorized_keys]") {
  const auto error = [](const std::string& text) {
    const auto load = parse_authorized_keys(text, "/etc/opd/authorized_keys");
    CHECK_FALSE(load.keys.has_value());
    return load.error;
  };
  CHECK(error("# ok\n" + kA + "\n") == "/etc/opd/authorized_keys:2: the key has no role (kiosk, desk, admin or display)");
  CHECK(error(kA + " root\n") == "/etc/opd/authorized_keys:1: unknown role 'root' (kiosk, desk, admin or display)");
  CHECK(error(kA + " Admin\n") == "/etc/opd/authorized_keys:1: unknown role 'Admin' (kiosk, desk, admin or display)");
  CHECK(error("\n\nnot-a-key kiosk\n") ==
        "/etc/opd/authorized_keys:3: 'not-a-key' is not a public key (40 Z85 characters)");
  CHECK(error(kA + " kiosk\n" + kB + " desk\n" + kA + " admin\n") ==
        "/etc/opd/authorized_keys:3: key listed twice (first on line 1)");
  // One bad line refuses the whole file: half a list would lock out or
  // let in the wrong people.
  CHECK(error(kA + " kiosk\n" + kB + " desc\n").find(":2: unknown role 'desc'") != std::string::npos);
}

TEST_CASE("authorised keys: the file is read and checked", "[security][authorized_keys]") {
  TempDir dir;
  const std::string path = dir.path() + "/authorized_keys";
  std::ofstream(path) << kA << " kiosk k1\n";
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  const auto load = load_authorized_keys(path);
  REQUIRE(load.keys.has_value());
  CHECK(load.keys->size() == 1);

  SECTION("world-writable: refused") {
    REQUIRE(::chmod(path.c_str(), 0646) == 0);
    const auto refused = load_authorized_keys(path);
    CHECK_FALSE(refused.keys.has_value());
    CHECK(refused.error == path + ": writable by anyone (it decides who may do what); run: chmod o-w " + path);
  }
  SECTION("missing") {
    CHECK(load_authorized_keys(dir.path() + "/nope").error ==
          dir.path() + "/nope: cannot open: No such file or directory");
  }
}

TEST_CASE("the example in deploy/ parses", "[security][authorized_keys]") {
  const auto load = load_authorized_keys(OPD_AUTHORIZED_KEYS_EXAMPLE);
  INFO(load.error);
  REQUIRE(load.keys.has_value());
  CHECK(load.keys->size() == 6);
  std::size_t kiosks = 0, desks = 0, admins = 0, displays = 0;
  for (const auto& [k, entry] : load.keys->entries()) {
    kiosks += entry.role == Role::kKiosk;
    desks += entry.role == Role::kDesk;
    admins += entry.role == Role::kAdmin;
    displays += entry.role == Role::kDisplay;
    CHECK_FALSE(entry.comment.empty());
  }
  CHECK(kiosks == 2);
  CHECK(desks == 2);
  CHECK(admins == 1);
  CHECK(displays == 1);
}
