// The write-ahead journal: every request the worker takes, in seq order,
// before any of its results is published.
//
// On disk: segment files "journal-<first seq, 20 digits>.log" in the data
// directory. A record is
//   [u32 payload length][u32 CRC-32C of seq+payload][u64 seq][payload]
// (little-endian), one after another. A new segment starts once the current
// one passes JournalOptions::segment_bytes; the old one is then cut to its
// last record.
//
// The file may run ahead of its records: space reserved with fallocate
// (JournalOptions::preallocate_bytes) reads as zeros, and an all-zero
// remainder is where a segment's records end, not damage. The journal
// leaves that tail in place when it closes, so a clean stop and a crash
// leave the same kind of file and recovery has one path for both.
//
// Thread-safety: none; the worker's loop thread owns it (remove_segments,
// below, is the one piece meant for another thread).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opd::durability {

inline constexpr std::size_t kRecordHeaderBytes = 16;
inline constexpr std::size_t kMaxRecordPayload = 16 * 1024 * 1024;

struct JournalOptions {
  std::size_t segment_bytes = 64 * 1024 * 1024;
  // Space reserved ahead of the records, this much at a time (but not past
  // segment_bytes, unless a batch needs it). Writes into reserved space
  // change no file size, so their fdatasync has less to commit (ext4 here,
  // p50: 103-128 us instead of 154-185). 0: none, the file grows with each
  // write; also what happens on a filesystem without fallocate.
  std::size_t preallocate_bytes = 4 * 1024 * 1024;
  // Corruption before the tail: false refuses to open; true copies the
  // damaged segment to "<name>.corrupt", truncates it at the first bad
  // record and sets every later segment aside the same way.
  bool repair = false;
};

class Journal {
 public:
  using Replay = std::function<void(std::uint64_t seq, std::string_view payload)>;

  // Scans the journal in `dir`, calls `replay` for every record with
  // seq > after_seq in order, and opens the last segment for appending.
  // A torn last record (a crash mid-write) is truncated, with a warning
  // naming the file and offset; zeros after the last record are just the
  // end (reserved space). nullopt with `error` naming file and offset
  // on corruption before the tail (unless options.repair) or I/O failure.
  [[nodiscard]] static std::optional<Journal> open(const std::filesystem::path& dir,
                                                   std::uint64_t after_seq,
                                                   const JournalOptions& options,
                                                   const Replay& replay,
                                                   std::vector<std::string>* warnings,
                                                   std::string* error);
  ~Journal();
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Highest seq on disk or buffered (after_seq when the journal is empty).
  [[nodiscard]] std::uint64_t last_seq() const noexcept { return last_seq_; }

  // Buffers one record whose payload is `head` followed by `tail` (two
  // pieces, so a caller's header and a received frame need no joining
  // copy). REQUIRES: seq > last_seq(), payload within kMaxRecordPayload.
  void add(std::uint64_t seq, std::string_view head, std::string_view tail = {});
  [[nodiscard]] bool has_pending() const noexcept { return !pending_.empty(); }

  // Writes every buffered record with one pwrite() after the last record
  // (reserving more space first when it would pass the reserved end) and,
  // when `durable`, makes it durable with one fdatasync (group commit). On
  // false nothing may be published: the records may or may not be on disk.
  [[nodiscard]] bool commit(bool durable, std::string* error);
  // fdatasync of what commit() wrote earlier (the interval fsync mode).
  [[nodiscard]] bool sync(std::string* error);

  // Removes segments whose records all have seq <= `seq` (covered by a
  // snapshot). The segment being appended to is never removed.
  [[nodiscard]] bool drop_segments_through(std::uint64_t seq, std::string* error);
  // The same choice of segments, but only forgotten here: their files are
  // returned for the caller to remove (remove_segments) on another thread,
  // so the loop never waits for an unlink. The journal never opens them again.
  [[nodiscard]] std::vector<std::filesystem::path> release_segments_through(std::uint64_t seq);

 private:
  Journal(std::filesystem::path dir, JournalOptions options) : dir_(std::move(dir)), options_(options) {}
  [[nodiscard]] bool start_segment(std::uint64_t first_seq, std::string* error);
  [[nodiscard]] bool reserve(std::size_t end, std::string* error);

  std::filesystem::path dir_;
  JournalOptions options_;
  int fd_ = -1;
  std::uint64_t segment_first_seq_ = 0;
  std::size_t segment_size_ = 0;       // where the segment's records end: the next write goes here
  std::size_t allocated_size_ = 0;     // the file's size: segment_size_ plus reserved zeros
  std::uint64_t last_seq_ = 0;
  std::uint64_t first_pending_seq_ = 0;
  std::string pending_;
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> segments_;  // first seq, file
};

[[nodiscard]] std::string segment_name(std::uint64_t first_seq);

// Removes released segment files, then fsyncs `dir` so the removal is
// durable. Thread-safe: touches nothing but those files and the directory.
[[nodiscard]] bool remove_segments(const std::filesystem::path& dir,
                                   const std::vector<std::filesystem::path>& files, std::string* error);

}  // namespace opd::durability
