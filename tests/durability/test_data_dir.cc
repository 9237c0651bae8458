#include <catch2/catch.hpp>
#include <fstream>

#include "opd/durability/data_dir.h"
#include "temp_dir.h"

using opd::durability::DataDir;

TEST_CASE("the data dir is created and locked", "[data_dir]") {
  opd::testing::TempDir temp;
  const auto path = temp.path() / "nested" / "data";
  std::string error;
  auto first = DataDir::open(path, &error);
  REQUIRE(first);
  CHECK(std::filesystem::is_directory(path));
  CHECK(std::filesystem::exists(path / "LOCK"));

  SECTION("a second worker on the same dir is refused, naming the holder") {
    auto second = DataDir::open(path, &error);
    CHECK_FALSE(second);
    CHECK_THAT(error, Catch::Contains("locked by another worker (pid " + std::to_string(::getpid()) + ")"));
  }
  SECTION("the lock is released when the holder goes away") {
    first.reset();
    auto again = DataDir::open(path, &error);
    CHECK(again);
  }
}

TEST_CASE("a data dir path that is a file is refused", "[data_dir]") {
  opd::testing::TempDir temp;
  const auto file = temp.path() / "plain-file";
  std::ofstream(file) << "x";
  std::string error;
  CHECK_FALSE(DataDir::open(file, &error));
  CHECK_THAT(error, Catch::Contains(file.string()));
}
