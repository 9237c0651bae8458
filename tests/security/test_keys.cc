// Z85 key files: parsing, permissions, and what opd-keygen writes.
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "harness.h"
#include "opd/worker/security/curve_key.h"

using namespace opd::worker::security;
using opd::worker::test::TempDir;

namespace {

void write_text(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("Z85 keys: 40 valid characters, round trip through bytes", "[security][keys]") {
  // The test vector of ZeroMQ's RFC 32 / zmq_curve(7): the server's public key.
  const auto key = CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  REQUIRE(key.has_value());
  // 54fcba24...1bc2d652, as zmq_curve(7) prints it in hex.
  CHECK(key->bytes()[0] == 0x54);
  CHECK(key->bytes()[1] == 0xfc);
  CHECK(key->bytes()[30] == 0xd6);
  CHECK(key->bytes()[31] == 0x52);
  CHECK(key->z85() == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
  CHECK(CurveKey::from_bytes(key->bytes()) == *key);

  CHECK_FALSE(CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf").has_value());   // 39
  CHECK_FALSE(CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf77").has_value()); // 41
  CHECK_FALSE(CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%Fcmms L/@{H8]yf").has_value());  // a blank
  CHECK_FALSE(CurveKey::from_z85("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y\"7").has_value()); // '"' is not Z85
  CHECK_FALSE(CurveKey::from_z85("").has_value());
}

TEST_CASE("a generated pair: the public key is derived from the secret one", "[security][keys]") {
  const CurveKeyPair a = generate_key_pair();
  const CurveKeyPair b = generate_key_pair();
  CHECK(public_key_of(a.secret_key) == a.public_key);
  CHECK(public_key_of(b.secret_key) == b.public_key);
  CHECK(a.public_key != b.public_key);
  CHECK(a.secret_key != a.public_key);
}

TEST_CASE("key text: comments and blanks around exactly one key", "[security][keys]") {
  const std::string key = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
  SECTION("comments, blank lines, surrounding blanks and CRLF are fine") {
    const auto load = parse_key_text("# a comment\n\n   " + key + "  \r\n# after\n", "k.pub");
    REQUIRE(load.key.has_value());
    CHECK(load.key->z85() == key);
    CHECK(load.error.empty());
  }
  SECTION("a line starting with '#' is a comment: no key can start with '#'") {
    // '#' is a Z85 character, but as a key's first character its 5-character
    // group would exceed 32 bits, so comments and keys cannot be confused.
    CHECK_FALSE(CurveKey::from_z85("#" + key.substr(1)).has_value());
    const auto load = parse_key_text("#" + key.substr(1) + "\n" + key + "\n", "k.pub");
    REQUIRE(load.key.has_value());
    CHECK(load.key->z85() == key);
  }
  SECTION("no key") {
    const auto load = parse_key_text("# only a comment\n\n", "k.pub");
    CHECK_FALSE(load.key.has_value());
    CHECK(load.error == "k.pub: no key in the file");
  }
  SECTION("two keys") {
    const auto load = parse_key_text(key + "\n\n" + key + "\n", "k.pub");
    CHECK_FALSE(load.key.has_value());
    CHECK(load.error == "k.pub:3: a second key (the first is on line 1); a key file holds one key");
  }
  SECTION("a line that is neither names its line") {
    const auto load = parse_key_text("# ok\npublic-key = \"" + key + "\"\n", "k.pub");
    CHECK_FALSE(load.key.has_value());
    CHECK(load.error == "k.pub:2: not a key: expected 40 Z85 characters, got 55 characters");
  }
}

TEST_CASE("key files: secret keys are written 0600 and refused when others can read them", "[security][keys]") {
  TempDir dir;
  const CurveKeyPair pair = generate_key_pair();
  const std::string secret = dir.path() + "/w.key";
  const std::string pub = dir.path() + "/w.pub";

  REQUIRE(write_key_file(secret, pair.secret_key, KeyKind::kSecret, false).empty());
  REQUIRE(write_key_file(pub, pair.public_key, KeyKind::kPublic, false).empty());
  CHECK(mode_of(secret) == 0600);
  CHECK(mode_of(pub) == 0644);

  const auto secret_load = read_key_file(secret, KeyKind::kSecret);
  REQUIRE(secret_load.key.has_value());
  CHECK(*secret_load.key == pair.secret_key);
  const auto public_load = read_key_file(pub, KeyKind::kPublic);
  REQUIRE(public_load.key.has_value());
  CHECK(*public_load.key == pair.public_key);

  SECTION("an existing file is kept unless overwrite is asked") {
    const std::string error = write_key_file(secret, generate_key_pair().secret_key, KeyKind::kSecret, false);
    CHECK(error == secret + ": already exists (give --force to overwrite it)");
    CHECK(*read_key_file(secret, KeyKind::kSecret).key == pair.secret_key);
  }
  SECTION("overwriting a loosely permitted file makes it 0600") {
    REQUIRE(::chmod(secret.c_str(), 0666) == 0);
    const CurveKey other = generate_key_pair().secret_key;
    REQUIRE(write_key_file(secret, other, KeyKind::kSecret, true).empty());
    CHECK(mode_of(secret) == 0600);
    CHECK(*read_key_file(secret, KeyKind::kSecret).key == other);
  }
  SECTION("group- or world-accessible secret keys are refused, naming the fix") {
    for (const mode_t mode : std::initializer_list<mode_t>{0640, 0604, 0660, 0644, 0610}) {
      write_text(secret, pair.secret_key.z85() + "\n", mode);
      const auto load = read_key_file(secret, KeyKind::kSecret);
      INFO("mode " << mode);
      CHECK_FALSE(load.key.has_value());
      CHECK(load.error.find("must not be accessible by group or others") != std::string::npos);
      CHECK(load.error.find("chmod 600 " + secret) != std::string::npos);
    }
    // A public key may be readable by anyone.
    write_text(pub, pair.public_key.z85() + "\n", 0644);
    CHECK(read_key_file(pub, KeyKind::kPublic).key.has_value());
  }
  SECTION("a missing file or a directory") {
    CHECK(read_key_file(dir.path() + "/absent.key", KeyKind::kPublic).error ==
          dir.path() + "/absent.key: cannot open: No such file or directory");
    CHECK(read_key_file(dir.path(), KeyKind::kPublic).error == dir.path() + ": not a regular file");
  }
}
