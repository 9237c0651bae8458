// The id rule: 1-64 characters of [A-Za-z0-9._:-], enforced by the types.
#include <string>
#include <type_traits>
#include <unordered_set>

#include "support.h"

namespace opd {
namespace {

bool allowed(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

TEST_CASE("ids accept exactly the characters A-Z a-z 0-9 . _ : -", "[ids]") {
  int accepted = 0;
  for (int byte = 0; byte < 256; ++byte) {
    const char c = static_cast<char>(byte);
    const std::string text(1, c);
    INFO("byte " << byte);
    CHECK(is_valid_id(text) == allowed(c));
    // The character must also be accepted or refused in the middle of an id.
    CHECK(is_valid_id("ab" + text + "cd") == allowed(c));
    if (allowed(c)) ++accepted;
  }
  CHECK(accepted == 26 + 26 + 10 + 4);
}

TEST_CASE("ids are 1 to 64 characters long", "[ids]") {
  CHECK_FALSE(is_valid_id(""));
  CHECK(is_valid_id("x"));
  CHECK(is_valid_id(std::string(63, 'a')));
  CHECK(is_valid_id(std::string(64, 'a')));
  CHECK_FALSE(is_valid_id(std::string(65, 'a')));
  CHECK_FALSE(is_valid_id(std::string(1000, 'a')));
  CHECK(kMaxIdLength == 64);
}

TEST_CASE("ids refuse text that merely contains a valid id", "[ids]") {
  CHECK_FALSE(is_valid_id(" D1"));
  CHECK_FALSE(is_valid_id("D1 "));
  CHECK_FALSE(is_valid_id("D1\n"));
  CHECK_FALSE(is_valid_id(std::string("D1\0x", 4)));
  CHECK_FALSE(is_valid_id("dr/smith"));
  CHECK_FALSE(is_valid_id("caf\xc3\xa9"));  // UTF-8 letters are not [A-Za-z]
  CHECK(is_valid_id("Dr.Smith_2024:room-3"));
  CHECK(is_valid_id("..."));
  CHECK(is_valid_id("-"));
}

TEST_CASE("Id::parse validates and keeps the text", "[ids]") {
  const auto good = DoctorId::parse("Dr.Rao-01");
  REQUIRE(good.has_value());
  CHECK(good->str() == "Dr.Rao-01");
  CHECK(good->view() == "Dr.Rao-01");

  CHECK_FALSE(DoctorId::parse("").has_value());
  CHECK_FALSE(SlotId::parse("slot 1").has_value());
  CHECK_FALSE(TokenId::parse(std::string(65, 't')).has_value());
  CHECK_FALSE(RequestId::parse("r#1").has_value());
  CHECK(RequestId::parse(std::string(64, 'r')).has_value());
}

TEST_CASE("Id::from_trusted throws std::invalid_argument on a bad literal", "[ids]") {
  CHECK_THROWS_AS(SlotId::from_trusted("bad id"), std::invalid_argument);
  CHECK_THROWS_AS(DoctorId::from_trusted(""), std::invalid_argument);
  CHECK_NOTHROW(TokenId::from_trusted("T-1"));
  CHECK(TokenId::from_trusted("T-1").str() == "T-1");
}

TEST_CASE("ids compare and hash by their text", "[ids]") {
  const auto a1 = SlotId::from_trusted("A");
  const auto a2 = SlotId::from_trusted("A");
  const auto b = SlotId::from_trusted("B");
  CHECK(a1 == a2);
  CHECK(a1 != b);
  CHECK(a1 < b);
  CHECK(std::hash<SlotId>{}(a1) == std::hash<SlotId>{}(a2));
  std::unordered_set<SlotId> set{a1, a2, b};
  CHECK(set.size() == 2);
}

// The strong types: no id converts into another kind, and none can be built
// from raw text without parse() or from_trusted().
static_assert(!std::is_convertible_v<SlotId, DoctorId>);
static_assert(!std::is_constructible_v<DoctorId, SlotId>);
static_assert(!std::is_constructible_v<TokenId, RequestId>);
static_assert(!std::is_constructible_v<DoctorId, std::string>);
static_assert(!std::is_constructible_v<DoctorId, const char*>);
static_assert(!std::is_convertible_v<std::string, TokenId>);

TEST_CASE("an IdRef views its id's text, the longest too, and is empty when default", "[ids]") {
  const IdRef none;
  CHECK(none.empty());
  CHECK(none.view().empty());
  CHECK(none == "");
  const auto shortest = DoctorId::from_trusted("D");
  CHECK(shortest.ref().view() == "D");
  CHECK_FALSE(shortest.ref().empty());
  const std::string longest(kMaxIdLength, 'x');
  const auto slot = SlotId::from_trusted(longest);
  CHECK(slot.ref().view() == longest);
  CHECK(slot.ref().view().data() == slot.view().data());  // a view, not a copy
  CHECK(slot.ref() == longest);
  CHECK_FALSE(slot.ref() == longest.substr(1));
  CHECK(IdRef::waitlist().view() == kWaitlistName);
}

TEST_CASE("the WAITLIST name is a valid id reserved for the waitlist", "[ids]") {
  CHECK(is_valid_id(kWaitlistName));
  CHECK(kWaitlistName == "WAITLIST");
}

}  // namespace
}  // namespace opd
