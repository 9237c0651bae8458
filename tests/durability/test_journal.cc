#include <signal.h>
#include <sys/resource.h>

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

// Appends one record to an opened journal, closes it and opens the
// directory again: how a worker goes on after a recovery.
Opened append_and_reopen(Opened& o, const std::filesystem::path& dir, std::uint64_t seq, const std::string& payload,
                         JournalOptions options = {}) {
  o.journal->add(seq, payload);
  std::string error;
  REQUIRE(o.journal->commit(true, &error));
  o.journal.reset();
  return open_journal(dir, 0, options);
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

std::vector<std::filesystem::path> segments_in(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".log") found.push_back(e.path());
  std::sort(found.begin(), found.end());
  return found;
}

std::filesystem::path only_segment(const std::filesystem::path& dir) {
  const auto found = segments_in(dir);
  REQUIRE(found.size() == 1);
  return found.front();
}

// Where the records [from, to] end, when they are a segment's first ones.
std::size_t records_bytes(std::uint64_t from, std::uint64_t to) {
  std::size_t bytes = 0;
  for (auto seq = from; seq <= to; ++seq) bytes += opd::durability::kRecordHeaderBytes + payload_for(seq).size();
  return bytes;
}

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_all(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_at(const std::filesystem::path& file, std::size_t offset, std::string_view bytes) {
  std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

JournalOptions preallocating(std::size_t chunk) {
  JournalOptions options;
  options.preallocate_bytes = chunk;
  return options;
}

// The space on disk as the tests need it: growing with each write (0), a
// chunk smaller than the records here, and one well past them.
std::size_t some_preallocation() { return GENERATE(as<std::size_t>{}, 0, 64, 64 * 1024); }

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
    auto again = append_and_reopen(o, temp.path(), 501, "more");
    REQUIRE(again.replayed.size() == 501);
    CHECK(again.replayed.back() == std::pair<std::uint64_t, std::string>{501, "more"});
  }
}

TEST_CASE("a torn last record is truncated at every byte offset, losing only that record", "[journal]") {
  const auto options = preallocating(some_preallocation());
  INFO("preallocating " << options.preallocate_bytes);
  opd::testing::TempDir temp;
  const auto written = write_records(temp.path(), 1, 20, 5, options);
  const auto segment = only_segment(temp.path());
  const auto records_end = records_bytes(1, 20);
  const auto last_start = records_bytes(1, 19);
  const std::string original = read_all(segment);
  if (options.preallocate_bytes == 0) REQUIRE(original.size() == records_end);
  if (options.preallocate_bytes > records_end) REQUIRE(original.size() > records_end);

  for (auto cut = last_start; cut < records_end; ++cut) {
    INFO("cut at " << cut);
    // The write stopped at `cut`: what follows is what was there before,
    // reserved zeros or nothing.
    write_all(segment, original.substr(0, cut) + std::string(original.size() - cut, '\0'));
    auto o = open_journal(temp.path(), 0, options);
    REQUIRE(o.journal);
    CHECK(o.replayed == Records(written.begin(), written.end() - 1));
    if (cut == last_start) {
      CHECK(o.warnings.empty());
      CHECK(std::filesystem::file_size(segment) == original.size());
    } else {
      REQUIRE(o.warnings.size() == 1);
      CHECK_THAT(o.warnings[0], Catch::Contains(segment.string()) &&
                                    Catch::Contains("offset " + std::to_string(last_start)));
      CHECK(std::filesystem::file_size(segment) == last_start);
    }
    // The journal takes new records where the good ones end.
    auto again = append_and_reopen(o, temp.path(), 20, "retry", options);
    CHECK(again.warnings.empty());
    REQUIRE(again.replayed.size() == 20);
    CHECK(again.replayed.back().second == "retry");
  }
}

TEST_CASE("a flipped byte before the tail refuses to open, and --repair truncates there", "[journal]") {
  auto options = preallocating(some_preallocation());
  INFO("preallocating " << options.preallocate_bytes);
  opd::testing::TempDir temp;
  const auto written = write_records(temp.path(), 1, 100, 10, options);
  const auto segment = only_segment(temp.path());
  // Damage record 40: a flipped payload byte, or the whole record zeroed
  // (zeros are the end only when nothing but zeros follows).
  const std::size_t offset = records_bytes(1, 39);
  const std::string original = read_all(segment);
  const std::string damage = GENERATE(as<std::string>{}, "flip", "zeros");
  INFO(damage);
  if (damage == "flip") {
    const auto at = offset + opd::durability::kRecordHeaderBytes + 2;
    write_at(segment, at, std::string(1, static_cast<char>(original[at] ^ 0x20)));
  } else {
    write_at(segment, offset, std::string(opd::durability::kRecordHeaderBytes + payload_for(40).size(), '\0'));
  }
  auto refused = open_journal(temp.path(), 0, options);
  CHECK_FALSE(refused.journal);
  CHECK_THAT(refused.error, Catch::Contains(segment.string()) && Catch::Contains("offset " + std::to_string(offset)) &&
                                Catch::Contains("--repair"));
  CHECK(std::filesystem::file_size(segment) == original.size());

  options.repair = true;
  auto repaired = open_journal(temp.path(), 0, options);
  REQUIRE(repaired.journal);
  CHECK(repaired.replayed == Records(written.begin(), written.begin() + 39));
  CHECK(std::filesystem::exists(segment.string() + ".corrupt"));
  CHECK(std::filesystem::file_size(segment.string() + ".corrupt") == original.size());
  CHECK(std::filesystem::file_size(segment) == offset);
  CHECK(repaired.warnings.size() == 1);
  // The repaired journal goes on from the record before the damage.
  auto again = append_and_reopen(repaired, temp.path(), 40, "again", options);
  CHECK(again.warnings.empty());
  REQUIRE(again.replayed.size() == 40);
  CHECK(again.replayed.back() == std::pair<std::uint64_t, std::string>{40, "again"});
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

TEST_CASE("preallocated space: the zeros after the last record are its end, and appending resumes there", "[journal]") {
  opd::testing::TempDir temp;
  const auto options = preallocating(64 * 1024);
  auto written = write_records(temp.path(), 1, 300, 7, options);
  const auto segment = only_segment(temp.path());
  const auto end = records_bytes(1, 300);
  const auto allocated = std::filesystem::file_size(segment);
  CHECK(allocated > end);
  CHECK(read_all(segment).find_first_not_of('\0', end) == std::string::npos);

  {
    auto o = open_journal(temp.path(), 0, options);
    REQUIRE(o.journal);
    CHECK(o.warnings.empty());
    CHECK(o.replayed == written);
    CHECK(std::filesystem::file_size(segment) == allocated);  // the reserved space is kept
    for (std::uint64_t seq = 301; seq <= 320; ++seq) {
      o.journal->add(seq, payload_for(seq));
      written.emplace_back(seq, payload_for(seq));
    }
    std::string error;
    REQUIRE(o.journal->commit(true, &error));
  }
  // Written over the zeros right after record 300, not after the zeros.
  CHECK(std::filesystem::file_size(segment) == allocated);
  const auto bytes = read_all(segment);
  std::uint64_t seq_at_end = 0;
  for (int i = 0; i < 8; ++i)
    seq_at_end |= std::uint64_t{static_cast<unsigned char>(bytes[end + 8 + static_cast<std::size_t>(i)])} << (8 * i);
  CHECK(seq_at_end == 301);

  auto again = open_journal(temp.path(), 0, options);
  REQUIRE(again.journal);
  CHECK(again.warnings.empty());
  CHECK(again.replayed == written);
  CHECK(again.journal->last_seq() == 320);
}

TEST_CASE("a record larger than the preallocation chunk gets the space it needs", "[journal]") {
  opd::testing::TempDir temp;
  const auto options = preallocating(16);
  auto o = open_journal(temp.path(), 0, options);
  REQUIRE(o.journal);
  const std::string big(5000, 'b');
  o.journal->add(1, big);
  std::string error;
  REQUIRE(o.journal->commit(true, &error));
  o.journal.reset();
  CHECK(std::filesystem::file_size(only_segment(temp.path())) == opd::durability::kRecordHeaderBytes + big.size());
  auto again = open_journal(temp.path(), 0, options);
  REQUIRE(again.replayed.size() == 1);
  CHECK(again.replayed[0].second == big);
}

TEST_CASE("a torn record written into preallocated space is truncated, and the journal goes on", "[journal]") {
  opd::testing::TempDir temp;
  const auto options = preallocating(64 * 1024);
  const auto written = write_records(temp.path(), 1, 50, 10, options);
  const auto segment = only_segment(temp.path());
  const auto end = records_bytes(1, 50);
  REQUIRE(std::filesystem::file_size(segment) > end + 64);
  // A header promising 64 bytes and the first few of them; zeros after.
  write_at(segment, end, std::string_view("\x40\x00\x00\x00\x12\x34\x56\x78\x33\x00\x00\x00\x00\x00\x00\x00" "abcde", 21));

  auto o = open_journal(temp.path(), 0, options);
  REQUIRE(o.journal);
  CHECK(o.replayed == written);
  REQUIRE(o.warnings.size() == 1);
  CHECK_THAT(o.warnings[0], Catch::Contains(segment.string()) && Catch::Contains("offset " + std::to_string(end)) &&
                                Catch::Contains("torn last record (21 bytes)"));
  CHECK(std::filesystem::file_size(segment) == end);
  auto again = append_and_reopen(o, temp.path(), 51, "after the tear", options);
  REQUIRE(again.journal);
  CHECK(again.warnings.empty());
  REQUIRE(again.replayed.size() == 51);
  CHECK(again.replayed.back() == std::pair<std::uint64_t, std::string>{51, "after the tear"});
}

TEST_CASE("preallocated segments roll over: older ones are cut to their records, all come back in order",
          "[journal]") {
  opd::testing::TempDir temp;
  auto options = preallocating(512);
  options.segment_bytes = 1024;
  const auto written = write_records(temp.path(), 1, 300, 10, options);
  auto segments = segments_in(temp.path());
  REQUIRE(segments.size() >= 3);
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    INFO(segments[i]);
    const auto bytes = read_all(segments[i]);
    REQUIRE_FALSE(bytes.empty());
    CHECK(bytes.back() != '\0');  // no reserved space left after its last record
  }
  auto o = open_journal(temp.path(), 0, options);
  REQUIRE(o.journal);
  CHECK(o.warnings.empty());
  CHECK(o.replayed == written);
  o.journal.reset();

  SECTION("an older segment still ending in zeros (a crash before the cut) is read to its records") {
    write_at(segments[1], std::filesystem::file_size(segments[1]), std::string(700, '\0'));
    auto reopened = open_journal(temp.path(), 0, options);
    REQUIRE(reopened.journal);
    CHECK(reopened.warnings.empty());
    CHECK(reopened.replayed == written);
  }
  SECTION("records zeroed at the end of an older segment are missed, not taken for its end") {
    // Zero the last record of segment 1: its remainder is all zeros, but
    // segment 2 then starts past a gap.
    const auto bytes = read_all(segments[1]);
    const auto first = std::stoull(segments[2].filename().string().substr(8, 20)) - 1;  // last seq of segment 1
    const auto last_record = opd::durability::kRecordHeaderBytes + payload_for(first).size();
    write_at(segments[1], bytes.size() - last_record, std::string(last_record, '\0'));
    auto refused = open_journal(temp.path(), 0, options);
    CHECK_FALSE(refused.journal);
    CHECK_THAT(refused.error, Catch::Contains(segments[2].string()) && Catch::Contains("records in between are missing"));
  }
}

TEST_CASE("a segment with reserved space left is cut to its records when the next one starts", "[journal]") {
  opd::testing::TempDir temp;
  auto options = preallocating(64 * 1024);
  auto written = write_records(temp.path(), 1, 20, 5, options);
  const auto first_segment = only_segment(temp.path());
  REQUIRE(std::filesystem::file_size(first_segment) > records_bytes(1, 20));
  // Reopened with smaller segments (as after a configuration change), the
  // next commit starts a new segment while the old one has zeros left.
  options.segment_bytes = 256;
  const auto more = write_records(temp.path(), 21, 60, 5, options);
  written.insert(written.end(), more.begin(), more.end());
  CHECK(std::filesystem::file_size(first_segment) == records_bytes(1, 20));
  CHECK(segments_in(temp.path()).size() >= 3);
  auto again = open_journal(temp.path(), 0, options);
  REQUIRE(again.journal);
  CHECK(again.warnings.empty());
  CHECK(again.replayed == written);
}

TEST_CASE("space the filesystem refuses to reserve fails the commit, naming the file", "[journal]") {
  opd::testing::TempDir temp;
  // A file size limit makes fallocate fail (EFBIG) as a full disk would
  // (ENOSPC), without filling one. Restored when the test ends.
  struct Limit {
    rlimit saved{};
    void (*old_handler)(int) = nullptr;
    Limit() {
      REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
      rlimit small = saved;
      small.rlim_cur = 1024 * 1024;
      REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
      old_handler = ::signal(SIGXFSZ, SIG_IGN);
    }
    ~Limit() {
      ::setrlimit(RLIMIT_FSIZE, &saved);
      ::signal(SIGXFSZ, old_handler);
    }
  };
  auto o = open_journal(temp.path(), 0, preallocating(4 * 1024 * 1024));
  REQUIRE(o.journal);
  o.journal->add(1, "one");
  std::string error;
  {
    Limit limit;
    CHECK_FALSE(o.journal->commit(true, &error));
  }
  const auto segment = only_segment(temp.path());
  CHECK_THAT(error, Catch::Contains(segment.string()));
}
