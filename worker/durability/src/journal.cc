#include "opd/durability/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "opd/durability/crc32c.h"
#include "opd/durability/data_dir.h"

namespace opd::durability {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint32_t get_u32(const char* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= std::uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}
std::uint64_t get_u64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

// The record at `offset`, if one is wholly present with a matching CRC.
struct Parsed {
  std::uint64_t seq = 0;
  std::string_view payload;
  std::size_t end = 0;
};
std::optional<Parsed> parse_at(std::string_view data, std::size_t offset) {
  if (data.size() - offset < kRecordHeaderBytes) return std::nullopt;
  const char* p = data.data() + offset;
  const std::uint32_t length = get_u32(p);
  if (length > kMaxRecordPayload || data.size() - offset - kRecordHeaderBytes < length) return std::nullopt;
  const std::string_view checked(p + 8, 8 + std::size_t{length});
  if (crc32c(checked) != get_u32(p + 4)) return std::nullopt;
  return Parsed{get_u64(p + 8), checked.substr(8), offset + kRecordHeaderBytes + length};
}

// Reserved space no write has reached yet (or ever will: a segment is
// cut to its records only when the next one starts).
bool all_zero(std::string_view data, std::size_t offset) {
  return data.find_first_not_of('\0', offset) == std::string_view::npos;
}

// A crash mid-write leaves garbage only after the last good record: if no
// intact record starts anywhere after the bad one, the damage is a torn
// tail; if one does, something overwrote the middle of the journal.
bool intact_record_follows(std::string_view data, std::size_t bad_offset) {
  // No record starts in the trailing zeros (an all-zero header would need
  // the CRC-32C of eight zero bytes to be 0; it is 0x8c28b28a), which spares
  // scanning megabytes of reserved space byte by byte.
  const auto last_non_zero = data.find_last_not_of('\0');
  if (last_non_zero == std::string_view::npos) return false;
  for (std::size_t o = bad_offset + 1; o <= last_non_zero && o + kRecordHeaderBytes <= data.size(); ++o)
    if (parse_at(data, o)) return true;
  return false;
}

bool read_file(const std::filesystem::path& file, std::string& out, std::string* error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot read " + file.string();
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  out = std::move(buffer).str();
  return true;
}

bool set_aside(const std::filesystem::path& file, std::string* error) {
  std::error_code ec;
  std::filesystem::copy_file(file, file.string() + ".corrupt",
                             std::filesystem::copy_options::overwrite_existing, ec);
  if (ec && error) *error = "cannot copy " + file.string() + ": " + ec.message();
  return !ec;
}

bool truncate_file(const std::filesystem::path& file, std::size_t size, std::string* error) {
  if (::truncate(file.c_str(), static_cast<off_t>(size)) != 0) {
    if (error) *error = "cannot truncate " + file.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace

std::string segment_name(std::uint64_t first_seq) {
  char name[64];
  std::snprintf(name, sizeof name, "journal-%020llu.log", static_cast<unsigned long long>(first_seq));
  return name;
}

std::optional<Journal> Journal::open(const std::filesystem::path& dir, std::uint64_t after_seq,
                                     const JournalOptions& options, const Replay& replay,
                                     std::vector<std::string>* warnings, std::string* error) {
  Journal journal(dir, options);
  journal.last_seq_ = after_seq;
  auto warn = [warnings](std::string text) {
    if (warnings) warnings->push_back(std::move(text));
  };

  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.size() == 32 && name.starts_with("journal-") && name.ends_with(".log"))
      journal.segments_.emplace_back(std::stoull(name.substr(8, 20)), entry.path());
  }
  if (ec) {
    if (error) *error = "cannot list " + dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  std::sort(journal.segments_.begin(), journal.segments_.end());

  std::string data;
  std::uint64_t previous = 0;  // seqs rise strictly across all segments
  std::size_t records_end = 0;  // of the segment scanned last, which is the one appended to
  for (std::size_t i = 0; i < journal.segments_.size(); ++i) {
    const auto& file = journal.segments_[i].second;
    if (!read_file(file, data, error)) return std::nullopt;
    const bool last_segment = i + 1 == journal.segments_.size();
    std::size_t offset = 0;
    while (offset < data.size()) {
      const auto record = parse_at(data, offset);
      const bool in_order = record && record->seq > previous;
      if (record && in_order) {
        previous = record->seq;
        if (record->seq > after_seq) {
          // Every received request got the next seq and a record, so a
          // jump means records are missing (a segment deleted by hand, a
          // snapshot removed): replaying past the hole would be wrong.
          if (record->seq != journal.last_seq_ + 1) {
            if (error)
              *error = "journal " + file.string() + " at offset " + std::to_string(offset) + ": record seq " +
                       std::to_string(record->seq) + " follows seq " + std::to_string(journal.last_seq_) +
                       "; records in between are missing";
            return std::nullopt;
          }
          replay(record->seq, record->payload);
          journal.last_seq_ = record->seq;
        }
        offset = record->end;
        continue;
      }
      // Any segment may end in reserved zeros: the last one as it is
      // written, an older one if a crash came before the roll cut it. A
      // record lost there still shows, as a gap in the seqs.
      if (all_zero(data, offset)) break;
      const std::string where = file.string() + " at offset " + std::to_string(offset);
      if (last_segment && !intact_record_follows(data, offset)) {
        // Counted without the reserved zeros after it, which go too.
        const auto torn = data.find_last_not_of('\0') + 1 - offset;
        warn("journal " + where + ": torn last record (" + std::to_string(torn) +
             " bytes) truncated; it was never acknowledged");
        if (!truncate_file(file, offset, error)) return std::nullopt;
        break;
      }
      if (!options.repair) {
        if (error)
          *error = "journal " + where + ": corrupt record before the tail; refusing to start "
                   "(--repair truncates there after keeping a copy)";
        return std::nullopt;
      }
      if (!set_aside(file, error) || !truncate_file(file, offset, error)) return std::nullopt;
      warn("journal " + where + ": corrupt record; repaired by truncating (original kept as " +
           file.filename().string() + ".corrupt)");
      for (std::size_t later = i + 1; later < journal.segments_.size(); ++later) {
        const auto& later_file = journal.segments_[later].second;
        std::filesystem::rename(later_file, later_file.string() + ".corrupt", ec);
        warn("journal " + later_file.string() + ": set aside as .corrupt (after a repaired record)");
      }
      journal.segments_.resize(i + 1);
      break;
    }
    records_end = offset;
  }
  if (!journal.segments_.empty()) {
    const auto& [first, file] = journal.segments_.back();
    journal.fd_ = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    struct stat st {};
    if (journal.fd_ < 0 || ::fstat(journal.fd_, &st) != 0) {
      if (error) *error = "cannot open " + file.string() + " for appending: " + std::strerror(errno);
      return std::nullopt;
    }
    journal.segment_first_seq_ = first;
    journal.segment_size_ = records_end;
    journal.allocated_size_ = static_cast<std::size_t>(st.st_size);
  }
  return journal;
}

Journal::Journal(Journal&& other) noexcept
    : dir_(std::move(other.dir_)),
      options_(other.options_),
      fd_(other.fd_),
      segment_first_seq_(other.segment_first_seq_),
      segment_size_(other.segment_size_),
      allocated_size_(other.allocated_size_),
      last_seq_(other.last_seq_),
      first_pending_seq_(other.first_pending_seq_),
      pending_(std::move(other.pending_)),
      segments_(std::move(other.segments_)) {
  other.fd_ = -1;
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    dir_ = std::move(other.dir_);
    options_ = other.options_;
    fd_ = std::exchange(other.fd_, -1);
    segment_first_seq_ = other.segment_first_seq_;
    segment_size_ = other.segment_size_;
    allocated_size_ = other.allocated_size_;
    last_seq_ = other.last_seq_;
    first_pending_seq_ = other.first_pending_seq_;
    pending_ = std::move(other.pending_);
    segments_ = std::move(other.segments_);
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::add(std::uint64_t seq, std::string_view head, std::string_view tail) {
  if (pending_.empty()) first_pending_seq_ = seq;
  const auto header_at = pending_.size();
  const std::size_t size = head.size() + tail.size();
  put_u32(pending_, static_cast<std::uint32_t>(size));
  put_u32(pending_, 0);  // CRC, filled below over seq+payload
  put_u64(pending_, seq);
  pending_.append(head);
  pending_.append(tail);
  const std::string_view checked(pending_.data() + header_at + 8, 8 + size);
  const auto crc = crc32c(checked);
  for (int i = 0; i < 4; ++i) pending_[header_at + 4 + static_cast<std::size_t>(i)] = static_cast<char>(crc >> (8 * i));
  last_seq_ = seq;
}

bool Journal::start_segment(std::uint64_t first_seq, std::string* error) {
  if (fd_ >= 0) {
    // Closed segments hold records only; the fdatasync that the roll does
    // anyway makes the cut durable with them.
    const auto& old_file = segments_.back().second;
    if (allocated_size_ > segment_size_ && ::ftruncate(fd_, static_cast<off_t>(segment_size_)) != 0) {
      if (error) *error = "cannot truncate " + old_file.string() + ": " + std::strerror(errno);
      return false;
    }
    if (::fdatasync(fd_) != 0) {
      if (error) *error = "fdatasync of journal segment " + old_file.string() + ": " + std::strerror(errno);
      return false;
    }
    ::close(fd_);
    fd_ = -1;
  }
  const auto file = dir_ / segment_name(first_seq);
  fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (error) *error = "cannot create " + file.string() + ": " + std::strerror(errno);
    return false;
  }
  segments_.emplace_back(first_seq, file);
  segment_first_seq_ = first_seq;
  segment_size_ = 0;
  allocated_size_ = 0;
  return sync_directory(dir_, error);
}

bool Journal::reserve(std::size_t end, std::string* error) {
  if (options_.preallocate_bytes == 0) return true;
  const std::size_t target =
      std::max(end, std::min(allocated_size_ + options_.preallocate_bytes, options_.segment_bytes));
  int failure = 0;
#if defined(__linux__)
  // fallocate, not posix_fallocate: where the filesystem cannot, glibc's
  // posix_fallocate writes a byte into every block instead, which is no
  // cheaper than letting the writes grow the file.
  while (::fallocate(fd_, 0, static_cast<off_t>(allocated_size_), static_cast<off_t>(target - allocated_size_)) != 0) {
    if (errno != EINTR) {
      failure = errno;
      break;
    }
  }
#else
  failure = EOPNOTSUPP;
#endif
  if (failure == EOPNOTSUPP || failure == ENOSYS || failure == EINVAL) {
    options_.preallocate_bytes = 0;  // unsupported here: from now on the writes grow the file
    return true;
  }
  if (failure != 0) {
    // ENOSPC, EIO...: the write would have failed too, later or worse.
    if (error) *error = "cannot reserve space in " + segments_.back().second.string() + ": " + std::strerror(failure);
    return false;
  }
  allocated_size_ = target;
  return true;
}

bool Journal::commit(bool durable, std::string* error) {
  if (pending_.empty()) return true;
  if ((fd_ < 0 || segment_size_ >= options_.segment_bytes) && !start_segment(first_pending_seq_, error))
    return false;
  const std::size_t end = segment_size_ + pending_.size();
  if (end > allocated_size_ && !reserve(end, error)) return false;
  std::size_t written = 0;
  while (written < pending_.size()) {
    const auto n = ::pwrite(fd_, pending_.data() + written, pending_.size() - written,
                            static_cast<off_t>(segment_size_ + written));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (error)
        *error = "journal write to " + segments_.back().second.string() + ": " +
                 (n < 0 ? std::strerror(errno) : "no progress");
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  segment_size_ = end;
  allocated_size_ = std::max(allocated_size_, end);
  pending_.clear();
  return !durable || sync(error);
}

bool Journal::sync(std::string* error) {
  if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
    if (error) *error = std::string("journal fdatasync: ") + std::strerror(errno);
    return false;
  }
  return true;
}

bool Journal::drop_segments_through(std::uint64_t seq, std::string* error) {
  const auto files = release_segments_through(seq);
  return files.empty() || remove_segments(dir_, files, error);
}

std::vector<std::filesystem::path> Journal::release_segments_through(std::uint64_t seq) {
  // Segment k holds seqs [first_k, first_{k+1}); it is covered when the next
  // segment starts at or below seq + 1.
  std::size_t removable = 0;
  while (removable + 1 < segments_.size() && segments_[removable + 1].first <= seq + 1) ++removable;
  std::vector<std::filesystem::path> files;
  files.reserve(removable);
  for (std::size_t i = 0; i < removable; ++i) files.push_back(std::move(segments_[i].second));
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(removable));
  return files;
}

bool remove_segments(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& files,
                     std::string* error) {
  for (const auto& file : files) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    if (ec) {
      if (error) *error = "cannot remove " + file.string() + ": " + ec.message();
      return false;
    }
  }
  return sync_directory(dir, error);
}

}  // namespace opd::durability
