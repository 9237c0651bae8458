#include <catch2/catch.hpp>
#include <fstream>
#include <utility>
#include <vector>

#include "opd/durability/journal.h"
#include "temp_dir.h"

using opd::durability::Journal;
using opd::durability::JournalOptions;
using Records = std::vector<std::pair<std::uint64_t, std::string>>;

namespace {

struct Opened {
  std::optional<Journal> journal;
  Records replayed;
  std::vector<std::string> warnings;
  std::string error;
};

Opened open_journal(const std::filesystem::path& dir, std::uint64_t after = 0, JournalOptions options = {}) {
  Opened o;
  o.journal = Journal::open(
      dir, after, options,
      [&o](std::uint64_t seq, std::string_view payload) { o.replayed.emplace_back(seq, std::string(payload)); },
      &o.warnings, &o.error);
  return o;
}

std::string payload_for(std::uint64_t seq) { return "request-" + std::to_string(seq) + std::string(seq % 7, 'x'); }

Records write_records(const std::filesystem::path& dir, std::uint64_t from, std::uint64_t to,
                      std::size_t batch, JournalOptions options = {}) {
  auto o = open_journal(dir, 0, options);
  REQUIRE(o.journal);
  Records written;
  for (std::uint64_t seq = from; seq <= to; ++seq) {
    o.journal->add(seq, payload_for(seq));
    written.emplace_back(seq, payload_for(seq));
    if (seq % batch == 0 || seq == to) {
      std::string error;
      REQUIRE(o.journal->commit(true, &error));
    }
  }
  return written;
}

std::filesystem::path only_segment(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".log") found.push_back(e.path());
  REQUIRE(found.size() == 1);
  return found.front();
}

}  // namespace

TEST_CASE("records come back in order after reopening", "[journal]") {
  opd::testing::TempDir temp;
  const auto written = write_records(temp.path(), 1, 500, 37);
  auto o = open_journal(temp.path());
  REQUIRE(o.journal);
  CHECK(o.warnings.empty());
  CHECK(o.replayed == written);
  CHECK(o.journal->last_seq() == 500);

  SECTION("records covered by a snapshot are skipped") {
    auto later = open_journal(temp.path(), 450);
    REQUIRE(later.journal);
    REQUIRE(later.replayed.size() == 50);
    CHECK(later.replayed.front().first == 451);
  }
  SECTION("appending continues the same journal") {
    o.journal->add(501, "more");
    std::string error;
    REQUIRE(o.journal->commit(true, &error));
    o.journal.reset();
    auto again = open_journal(temp.path());
    REQUIRE(again.replayed.size() == 501);
    CHECK(again.replayed.back() == std::pair<std::uint64_t, std::string>{501, "more"});
  }
}

TEST_CASE("a torn last record is truncated at every byte offset, losing only that record", "[journal]") {
  opd::testing::TempDir temp;
  const auto written = write_records(temp.path(), 1, 20, 5);
  const auto segment = only_segment(temp.path());
  const auto full_size = std::filesystem::file_size(segment);
  const auto last_record_size = opd::durability::kRecordHeaderBytes + payload_for(20).size();
  const auto last_start = full_size - last_record_size;
  std::ifstream in(segment, std::ios::binary);
  const std::string original((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  for (auto cut = last_start; cut < full_size; ++cut) {
    INFO("cut at " << cut);
    std::ofstream(segment, std::ios::binary | std::ios::trunc).write(original.data(), static_cast<std::streamsize>(cut));
    auto o = open_journal(temp.path());
    REQUIRE(o.journal);
    CHECK(o.replayed == Records(written.begin(), written.end() - 1));
    if (cut == last_start) {
      CHECK(o.warnings.empty());
    } else {
      REQUIRE(o.warnings.size() == 1);
      CHECK_THAT(o.warnings[0], Catch::Contains("offset " + std::to_string(last_start)));
      CHECK(std::filesystem::file_size(segment) == last_start);
    }
    // The journal takes new records where the good ones end.
    o.journal->add(20, "retry");
    std::string error;
    REQUIRE(o.journal->commit(true, &error));
    o.journal.reset();
    auto again = open_journal(temp.path());
    REQUIRE(again.replayed.size() == 20);
    CHECK(again.replayed.back().second == "retry");
  }
}

TEST_CASE("a flipped byte before the tail refuses to open; --repair truncates there", "[journal]") {
  opd::testing::TempDir temp;
  const auto written = write_records(temp.path(), 1, 100, 10);
  const auto segment = only_segment(temp.path());
  // Flip a payload byte in record 40.
  std::size_t offset = 0;
  for (std::uint64_t seq = 1; seq < 40; ++seq) offset += opd::durability::kRecordHeaderBytes + payload_for(seq).size();
  {
    std::fstream f(segment, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(static_cast<std::streamoff>(offset + opd::durability::kRecordHeaderBytes + 2));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    f.seekp(static_cast<std::streamoff>(offset + opd::durability::kRecordHeaderBytes + 2));
    f.write(&c, 1);
  }
  auto refused = open_journal(temp.path());
  CHECK_FALSE(refused.journal);
  CHECK_THAT(refused.error, Catch::Contains(segment.string()) && Catch::Contains("offset " + std::to_string(offset)) &&
                                Catch::Contains("--repair"));

  JournalOptions repair;
  repair.repair = true;
  auto repaired = open_journal(temp.path(), 0, repair);
  REQUIRE(repaired.journal);
  CHECK(repaired.replayed == Records(written.begin(), written.begin() + 39));
  CHECK(std::filesystem::exists(segment.string() + ".corrupt"));
  CHECK(std::filesystem::file_size(segment.string() + ".corrupt") > std::filesystem::file_size(segment));
  CHECK(repaired.warnings.size() == 1);
}

TEST_CASE("segments rotate and snapshot-covered ones are dropped", "[journal]") {
  opd::testing::TempDir temp;
  JournalOptions small;
  small.segment_bytes = 1024;
  auto o = open_journal(temp.path(), 0, small);
  REQUIRE(o.journal);
  std::string error;
  for (std::uint64_t seq = 1; seq <= 300; ++seq) {
    o.journal->add(seq, payload_for(seq));
    if (seq % 10 == 0) REQUIRE(o.journal->commit(true, &error));
  }
  auto count_segments = [&] {
    std::size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(temp.path())) n += e.path().extension() == ".log";
    return n;
  };
  const auto before = count_segments();
  REQUIRE(before > 3);
  REQUIRE(o.journal->drop_segments_through(150, &error));
  const auto after = count_segments();
  CHECK(after < before);
  CHECK(after >= 1);
  o.journal.reset();
  auto reopened = open_journal(temp.path(), 150, small);
  REQUIRE(reopened.journal);
  REQUIRE_FALSE(reopened.replayed.empty());
  CHECK(reopened.replayed.front().first == 151);
  CHECK(reopened.replayed.back().first == 300);
  CHECK(reopened.replayed.size() == 150);
}

TEST_CASE("a hole in the journal refuses to open rather than replay past it", "[journal]") {
  opd::testing::TempDir temp;
  JournalOptions small;
  small.segment_bytes = 512;
  (void)write_records(temp.path(), 1, 200, 10, small);
  std::vector<std::filesystem::path> segments;
  for (const auto& e : std::filesystem::directory_iterator(temp.path()))
    if (e.path().extension() == ".log") segments.push_back(e.path());
  std::sort(segments.begin(), segments.end());
  REQUIRE(segments.size() > 2);
  std::filesystem::remove(segments[1]);  // a middle segment deleted by hand
  auto o = open_journal(temp.path(), 0, small);
  CHECK_FALSE(o.journal);
  CHECK_THAT(o.error, Catch::Contains(segments[2].string()) && Catch::Contains("records in between are missing"));
  // Nor may it start later than the snapshot it continues (seq 0 here).
  std::filesystem::remove(segments[0]);
  auto late_start = open_journal(temp.path(), 0, small);
  CHECK_FALSE(late_start.journal);
}
