// Clock times "HH:MM" and service dates "YYYY-MM-DD": total parsing.
#include <string>

#include "support.h"

namespace opd {
namespace {

TEST_CASE("clock times parse HH:MM into minutes since midnight", "[domain]") {
  CHECK(ClockTime::parse("00:00")->minutes() == 0);
  CHECK(ClockTime::parse("09:30")->minutes() == 570);
  CHECK(ClockTime::parse("23:59")->minutes() == 1439);
  CHECK(ClockTime::parse("09:05")->str() == "09:05");
  CHECK(ClockTime::from_minutes(615)->str() == "10:15");
  CHECK_FALSE(ClockTime::from_minutes(-1).has_value());
  CHECK_FALSE(ClockTime::from_minutes(1440).has_value());
  CHECK(*ClockTime::parse("09:00") < *ClockTime::parse("10:00"));
}

TEST_CASE("clock time parsing refuses malformed text", "[domain]") {
  for (const char* bad : {"", "9:00", "09:0", "0900", "09-00", "24:00", "12:60", "ab:cd", "09:00 ",
                          " 09:00", "-1:00", "+9:00", "09:+5"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(ClockTime::parse(bad).has_value());
  }
}

TEST_CASE("service dates parse YYYY-MM-DD with real calendar days", "[domain]") {
  CHECK(ServiceDate::parse("2025-01-31")->str() == "2025-01-31");
  CHECK(ServiceDate::parse("2024-02-29").has_value());   // leap year
  CHECK(ServiceDate::parse("2000-02-29").has_value());   // divisible by 400
  CHECK_FALSE(ServiceDate::parse("2100-02-29").has_value());  // divisible by 100 only
  CHECK_FALSE(ServiceDate::parse("2025-02-29").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-04-31").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-13-01").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-00-10").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-01-00").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-1-01").has_value());
  CHECK_FALSE(ServiceDate::parse("2025/01/01").has_value());
  CHECK_FALSE(ServiceDate::parse("1999-12-31").has_value());
  CHECK_FALSE(ServiceDate::parse("3000-01-01").has_value());
  CHECK_FALSE(ServiceDate::parse("").has_value());
  CHECK_FALSE(ServiceDate::parse("2025-01-01x").has_value());
  CHECK(*ServiceDate::parse("2025-01-31") < *ServiceDate::parse("2025-02-01"));
  CHECK(*ServiceDate::parse("2025-12-31") < *ServiceDate::parse("2026-01-01"));
}

}  // namespace
}  // namespace opd
