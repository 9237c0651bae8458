#include "persistence.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>

#include "opd/durability/snapshot_file.h"
#include "opd/durability/write_all.h"

namespace opd::worker {
namespace {

constexpr std::uint8_t kEntryFormat = 1;
constexpr std::size_t kEntryHeader = 6;
// Two snapshots stay on disk: if the newest is damaged, start-up falls back
// to the older one, whose journal segments are therefore kept too.
constexpr std::size_t kSnapshotsKept = 2;

durability::DataDir open_dir(const std::filesystem::path& path) {
  std::string error;
  auto dir = durability::DataDir::open(path, &error);
  if (!dir) throw std::runtime_error(error);
  return std::move(*dir);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A crash while the file thread wrote a snapshot leaves its temporary file:
// never loaded (the name does not match), so it would only take space.
void remove_temporary_snapshots(const std::filesystem::path& dir, spdlog::logger& log) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("snapshot-") || !name.ends_with(".snap.tmp")) continue;
    std::error_code removed;
    std::filesystem::remove(entry.path(), removed);
    if (removed) log.warn("cannot remove the unfinished snapshot {}: {}", entry.path().string(), removed.message());
    else log.info("removed the unfinished snapshot {} (a crash while it was written)", entry.path().string());
  }
}

// On the file thread: the report as pretty JSON, written to a temporary
// name, fsynced and renamed, so reports/ never holds half a report.
durability::JobReport write_day_report(const std::filesystem::path& data_dir, const std::string& name,
                                       const std::string& msgpack_report) {
  durability::JobReport report;
  std::string json;
  try {
    json = nlohmann::json::from_msgpack(msgpack_report).dump(2);
  } catch (const std::exception& e) {
    report.warnings.push_back("cannot convert day report " + name + " to JSON: " + e.what());
    return report;
  }
  json += '\n';
  const auto dir = data_dir / "reports";
  const auto file = dir / (name + ".json");
  const auto temp = dir / (name + ".json.tmp");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const bool written = fd >= 0 && durability::write_all(fd, json) && ::fsync(fd) == 0;
  const int write_errno = errno;
  if (fd >= 0) ::close(fd);
  if (!written) {
    report.warnings.push_back("cannot write day report " + temp.string() + ": " + std::strerror(write_errno));
    return report;
  }
  std::filesystem::rename(temp, file, ec);
  if (ec) report.warnings.push_back("cannot keep day report " + file.string() + ": " + ec.message());
  return report;
}

std::optional<JournalEntry> parse_entry(std::string_view payload) {
  if (payload.size() < kEntryHeader || static_cast<std::uint8_t>(payload[0]) != kEntryFormat)
    return std::nullopt;
  JournalEntry entry;
  entry.role = static_cast<std::uint8_t>(payload[1]);
  entry.frames = 0;
  for (int i = 0; i < 4; ++i)
    entry.frames |= std::uint32_t{static_cast<unsigned char>(payload[2 + static_cast<std::size_t>(i)])} << (8 * i);
  entry.bytes = payload.substr(kEntryHeader);
  return entry;
}

}  // namespace

std::optional<FsyncMode> parse_fsync_mode(std::string_view text) noexcept {
  if (text == "always") return FsyncMode::kAlways;
  if (text == "interval") return FsyncMode::kInterval;
  if (text == "never") return FsyncMode::kNever;
  return std::nullopt;
}

std::string_view to_string(FsyncMode mode) noexcept {
  switch (mode) {
    case FsyncMode::kAlways: return "always";
    case FsyncMode::kInterval: return "interval";
    case FsyncMode::kNever: return "never";
  }
  return "?";
}

Persistence::Persistence(const PersistenceConfig& config, Engine& engine, const Replay& replay,
                         spdlog::logger& log)
    : config_(config), log_(log), dir_(open_dir(config.data_dir)) {
  const auto started = Clock::now();
  remove_temporary_snapshots(dir_.path(), log_);
  std::vector<std::string> warnings;
  bool snapshot_loaded = false;
  if (auto snap = durability::load_newest_snapshot(dir_.path(), &warnings)) {
    snapshot_loaded = true;
    std::string error;
    auto loaded = Engine::load(snap->payload, &error);
    if (!loaded) throw std::runtime_error("snapshot " + snap->file.string() + ": " + error);
    engine = std::move(*loaded);
    recovered_seq_ = last_snapshot_seq_ = snap->seq;
    log_.info("loaded snapshot {} (seq {})", snap->file.string(), snap->seq);
  }
  for (const auto& w : warnings) log_.warn("{}", w);
  warnings.clear();

  std::uint64_t replayed = 0;
  std::string error;
  durability::JournalOptions options;
  options.repair = config.repair;
  options.segment_bytes = config.segment_bytes;
  journal_ = durability::Journal::open(
      dir_.path(), recovered_seq_, options,
      [&](std::uint64_t seq, std::string_view payload) {
        const auto entry = parse_entry(payload);
        if (!entry)
          throw std::runtime_error("journal record " + std::to_string(seq) +
                                   " has an unknown format; written by a newer opd-worker?");
        replay.entry(seq, *entry);
        ++replayed;
      },
      &warnings, &error);
  for (const auto& w : warnings) log_.warn("{}", w);
  if (!journal_) throw std::runtime_error(error);
  replay.drained();
  recovered_seq_ = journal_->last_seq();
  records_since_snapshot_ = replayed;
  if (!snapshot_loaded) record_configuration(engine);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  log_.info("recovered to seq {} from {}: {} journal records replayed in {:.3f} s", recovered_seq_,
            dir_.path().string(), replayed, seconds);
}

void Persistence::record(std::uint64_t seq, const JournalEntry& entry) {
  char header[kEntryHeader] = {static_cast<char>(kEntryFormat), static_cast<char>(entry.role)};
  for (std::size_t i = 0; i < 4; ++i) header[2 + i] = static_cast<char>(entry.frames >> (8 * i));
  journal_->add(seq, std::string_view(header, kEntryHeader), entry.bytes);
  ++records_since_snapshot_;
}

void Persistence::commit() {
  if (!journal_->has_pending()) return;
  std::string error;
  const bool durable = config_.fsync == FsyncMode::kAlways;
  const auto started = Clock::now();
  if (!journal_->commit(durable, &error)) throw PersistenceFailure(error);
  // A moving average over about eight batches: one slow fdatasync should
  // not make the next batches much larger, a slower disk should.
  const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started);
  typical_commit_ = typical_commit_ == std::chrono::nanoseconds::zero() ? took : (7 * typical_commit_ + took) / 8;
  if (config_.fsync == FsyncMode::kInterval && !unsynced_) {
    unsynced_ = true;
    next_sync_ = Clock::now() + config_.fsync_interval;
  }
}

void Persistence::tick(Clock::time_point now) {
  if (!jobs_.empty()) report_file_jobs();
  if (!unsynced_ || now < next_sync_) return;
  std::string error;
  if (!journal_->sync(&error)) throw PersistenceFailure(error);
  unsynced_ = false;
}

std::optional<Persistence::Clock::time_point> Persistence::next_deadline() const noexcept {
  if (!unsynced_) return std::nullopt;
  return next_sync_;
}

void Persistence::after_batch(std::uint64_t seq, const Engine& engine, bool day_opened) {
  snapshot_wanted_ = snapshot_wanted_ || day_opened;
  if (!snapshot_wanted_ && records_since_snapshot_ < config_.snapshot_every) return;
  // One snapshot in flight at a time: while the file thread still writes
  // the last one, this one waits for a later batch. The journal holds
  // everything meanwhile, and at most one engine image is ever in memory.
  if (std::find(jobs_.begin(), jobs_.end(), Job::kSnapshot) != jobs_.end()) return;
  snapshot(seq, engine);
  snapshot_wanted_ = false;
}

Persistence::~Persistence() = default;

// The schedule and engine options are part of a snapshot, and replay
// applies the journal to the newest one. Without any, a restart replayed
// the journal on an engine built from the flags of the day, so a changed
// --preemption or schedule rewrote acknowledged results. So a data dir
// never serves a request before it holds a snapshot: a fresh one gets one
// at seq 0, before its first request.
void Persistence::record_configuration(const Engine& engine) {
  if (recovered_seq_ > 0)
    log_.warn("{} has journal records but no usable snapshot: they were replayed under this start's "
              "schedule and options, which are recorded now",
              dir_.path().string());
  std::string error;
  if (!journal_->sync(&error) || !durability::write_snapshot(dir_.path(), recovered_seq_, engine.save(), &error))
    throw std::runtime_error("cannot record the schedule and options in " + dir_.path().string() + ": " + error);
  last_snapshot_seq_ = recovered_seq_;
  records_since_snapshot_ = 0;
  log_.info("recorded the schedule and options in a snapshot at seq {}", recovered_seq_);
}

void Persistence::snapshot(std::uint64_t seq, const Engine& engine) {
  // The snapshot must not describe requests the journal could still lose:
  // falling back to the older snapshot replays the journal up to this one.
  if (unsynced_) {
    std::string error;
    if (!journal_->sync(&error)) throw PersistenceFailure(error);
    unsynced_ = false;
  }
  // The engine is serialised here, where nothing changes it; the file work
  // (write, fsync, rename, directory fsync, pruning) is the file thread's.
  const auto started = Clock::now();
  std::string bytes = engine.save();
  const double save_seconds = seconds_since(started);
  // Once this snapshot is durable the one before it is the older of the two
  // kept, and journal segments it covers can go: falling back to it never
  // finds a hole. The same job removes them, after the write succeeded.
  auto segments = journal_->release_segments_through(last_snapshot_seq_);
  last_snapshot_seq_ = seq;
  records_since_snapshot_ = 0;
  jobs_.push_back(Job::kSnapshot);
  files_.submit([dir = dir_.path(), seq, bytes = std::move(bytes), segments = std::move(segments),
                 save_seconds]() {
    durability::JobReport report;
    const auto started_writing = Clock::now();
    std::string error;
    if (!durability::write_snapshot(dir, seq, bytes, &error)) {
      report.failure = "snapshot at seq " + std::to_string(seq) + ": " + error;
      return report;
    }
    const double write_seconds = seconds_since(started_writing);
    if (!durability::prune_snapshots(dir, kSnapshotsKept, &error) ||
        (!segments.empty() && !durability::remove_segments(dir, segments, &error)))
      report.warnings.push_back("after snapshot " + std::to_string(seq) + ": " + error);
    report.info.push_back(fmt::format(
        "snapshot at seq {}: {} bytes; serialised on the loop in {:.2f} ms, written and synced in {:.2f} ms, "
        "{} journal segment(s) removed",
        seq, bytes.size(), 1e3 * save_seconds, 1e3 * write_seconds, segments.size()));
    return report;
  });
}

void Persistence::keep_day_report(std::string name, std::string msgpack_report) {
  jobs_.push_back(Job::kDayReport);
  files_.submit([dir = dir_.path(), name = std::move(name), report = std::move(msgpack_report)] {
    return write_day_report(dir, name, report);
  });
}

void Persistence::report_file_jobs() {
  std::optional<std::string> failure;
  for (auto& report : files_.collect()) {
    const Job job = jobs_.front();
    jobs_.pop_front();
    for (const auto& line : report.info) log_.info("{}", line);
    for (const auto& line : report.warnings) log_.warn("{}", line);
    if (!report.failure) continue;
    // A snapshot not written loses nothing (the journal has it all), but
    // the disk that refused it will refuse the journal next: stop loudly,
    // like a failed journal write, rather than carry on towards that.
    if (job == Job::kSnapshot) {
      if (!failure) failure = report.failure;
    } else {
      log_.warn("{}", *report.failure);
    }
  }
  if (failure) throw PersistenceFailure(*failure);
}

void Persistence::finish() {
  files_.drain();
  report_file_jobs();
}

}  // namespace opd::worker
