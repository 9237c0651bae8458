#include "persistence.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "opd/durability/snapshot_file.h"

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
  std::vector<std::string> warnings;
  if (auto snap = durability::load_newest_snapshot(dir_.path(), &warnings)) {
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
        replay(seq, *entry);
        ++replayed;
      },
      &warnings, &error);
  for (const auto& w : warnings) log_.warn("{}", w);
  if (!journal_) throw std::runtime_error(error);
  recovered_seq_ = journal_->last_seq();
  records_since_snapshot_ = replayed;
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
  if (!journal_->commit(durable, &error)) throw PersistenceFailure(error);
  if (config_.fsync == FsyncMode::kInterval && !unsynced_) {
    unsynced_ = true;
    next_sync_ = Clock::now() + config_.fsync_interval;
  }
}

void Persistence::tick(Clock::time_point now) {
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
  if (day_opened || records_since_snapshot_ >= config_.snapshot_every) snapshot(seq, engine);
}

void Persistence::snapshot(std::uint64_t seq, const Engine& engine) {
  std::string error;
  // The snapshot must not describe requests the journal could still lose.
  if (unsynced_) {
    if (!journal_->sync(&error)) throw PersistenceFailure(error);
    unsynced_ = false;
  }
  const auto started = Clock::now();
  const std::string bytes = engine.save();
  if (!durability::write_snapshot(dir_.path(), seq, bytes, &error)) throw PersistenceFailure(error);
  previous_snapshot_seq_ = last_snapshot_seq_;
  last_snapshot_seq_ = seq;
  records_since_snapshot_ = 0;
  // Journal segments are dropped only once the older kept snapshot covers
  // them, so falling back to it never finds a hole in the journal.
  if (!durability::prune_snapshots(dir_.path(), kSnapshotsKept, &error) ||
      !journal_->drop_segments_through(previous_snapshot_seq_, &error))
    log_.warn("after snapshot {}: {}", seq, error);
  log_.info("snapshot at seq {}: {} bytes in {:.3f} s", seq, bytes.size(),
            std::chrono::duration<double>(Clock::now() - started).count());
}

void Persistence::keep_day_report(std::string_view name, std::string_view json) {
  const auto dir = dir_.path() / "reports";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const auto file = dir / (std::string(name) + ".json");
  const auto temp = dir / (std::string(name) + ".json.tmp");
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << json << '\n';
    if (!out) {
      log_.warn("cannot write day report {}", temp.string());
      return;
    }
  }
  std::filesystem::rename(temp, file, ec);
  if (ec) log_.warn("cannot keep day report {}: {}", file.string(), ec.message());
}

}  // namespace opd::worker
