#include <catch2/catch.hpp>
#include <fstream>

#include "opd/durability/snapshot_file.h"
#include "temp_dir.h"

using namespace opd::durability;

TEST_CASE("the newest intact snapshot is loaded", "[snapshot]") {
  opd::testing::TempDir temp;
  std::string error;
  REQUIRE(write_snapshot(temp.path(), 10, "state at ten", &error));
  REQUIRE(write_snapshot(temp.path(), 20, "state at twenty", &error));
  std::vector<std::string> warnings;
  auto loaded = load_newest_snapshot(temp.path(), &warnings);
  REQUIRE(loaded);
  CHECK(loaded->seq == 20);
  CHECK(loaded->payload == "state at twenty");
  CHECK(warnings.empty());

  SECTION("a damaged newest snapshot is skipped with a warning") {
    {
      std::fstream f(loaded->file, std::ios::binary | std::ios::in | std::ios::out);
      f.seekp(-3, std::ios::end);
      f.put('!');
    }
    auto older = load_newest_snapshot(temp.path(), &warnings);
    REQUIRE(older);
    CHECK(older->seq == 10);
    REQUIRE(warnings.size() == 1);
    CHECK_THAT(warnings[0], Catch::Contains("checksum mismatch"));
  }
  SECTION("a truncated snapshot is skipped") {
    std::filesystem::resize_file(loaded->file, std::filesystem::file_size(loaded->file) - 1);
    auto older = load_newest_snapshot(temp.path(), &warnings);
    REQUIRE(older);
    CHECK(older->seq == 10);
  }
  SECTION("pruning keeps the newest") {
    REQUIRE(write_snapshot(temp.path(), 30, "thirty", &error));
    REQUIRE(prune_snapshots(temp.path(), 2, &error));
    std::size_t count = 0;
    for (const auto& e : std::filesystem::directory_iterator(temp.path())) count += e.path().extension() == ".snap";
    CHECK(count == 2);
    CHECK(load_newest_snapshot(temp.path(), &warnings)->seq == 30);
  }
}

TEST_CASE("no snapshot in a fresh directory", "[snapshot]") {
  opd::testing::TempDir temp;
  CHECK_FALSE(load_newest_snapshot(temp.path(), nullptr));
}
