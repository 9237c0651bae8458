#include "opd/durability/snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "opd/durability/crc32c.h"
#include "opd/durability/data_dir.h"
#include "opd/durability/write_all.h"

namespace opd::durability {
namespace {

constexpr std::string_view kMagic = "OPDSNAPF";
constexpr std::uint32_t kFormat = 1;
constexpr std::size_t kHeaderBytes = 8 + 4 + 8 + 8 + 4;

void put(std::string& out, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get(const char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}

std::vector<std::pair<std::uint64_t, std::filesystem::path>> list_snapshots(const std::filesystem::path& dir) {
  std::vector<std::pair<std::uint64_t, std::filesystem::path>> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.size() == 34 && name.starts_with("snapshot-") && name.ends_with(".snap"))
      found.emplace_back(std::stoull(name.substr(9, 20)), entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

bool write_snapshot(const std::filesystem::path& dir, std::uint64_t seq, std::string_view payload,
                    std::string* error) {
  char name[64];
  std::snprintf(name, sizeof name, "snapshot-%020llu.snap", static_cast<unsigned long long>(seq));
  const auto final_path = dir / name;
  const auto temp_path = dir / (std::string(name) + ".tmp");
  std::string header(kMagic);
  put(header, kFormat, 4);
  put(header, seq, 8);
  put(header, payload.size(), 8);
  put(header, crc32c(payload), 4);

  const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (error) *error = "cannot create " + temp_path.string() + ": " + std::strerror(errno);
    return false;
  }
  const bool written = write_all(fd, header) && write_all(fd, payload) && ::fsync(fd) == 0;
  const int write_errno = errno;
  ::close(fd);
  if (!written) {
    if (error) *error = "cannot write " + temp_path.string() + ": " + std::strerror(write_errno);
    std::filesystem::remove(temp_path);
    return false;
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    if (error) *error = "cannot rename " + temp_path.string() + ": " + std::strerror(errno);
    return false;
  }
  return sync_directory(dir, error);
}

std::optional<LoadedSnapshot> load_newest_snapshot(const std::filesystem::path& dir,
                                                   std::vector<std::string>* warnings) {
  auto snapshots = list_snapshots(dir);
  for (auto it = snapshots.rbegin(); it != snapshots.rend(); ++it) {
    const auto& file = it->second;
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string bytes = std::move(buffer).str();
    std::string problem;
    if (bytes.size() < kHeaderBytes || std::string_view(bytes).substr(0, 8) != kMagic) {
      problem = "not a snapshot file";
    } else if (get(bytes.data() + 8, 4) != kFormat) {
      problem = "unknown snapshot format " + std::to_string(get(bytes.data() + 8, 4));
    } else if (get(bytes.data() + 20, 8) != bytes.size() - kHeaderBytes) {
      problem = "length mismatch (truncated?)";
    } else if (crc32c(std::string_view(bytes).substr(kHeaderBytes)) != get(bytes.data() + 28, 4)) {
      problem = "checksum mismatch";
    } else if (get(bytes.data() + 12, 8) != it->first) {
      problem = "seq in header differs from the file name";
    }
    if (problem.empty())
      return LoadedSnapshot{it->first, bytes.substr(kHeaderBytes), file};
    if (warnings) warnings->push_back("snapshot " + file.string() + " skipped: " + problem);
  }
  return std::nullopt;
}

bool prune_snapshots(const std::filesystem::path& dir, std::size_t keep, std::string* error) {
  auto snapshots = list_snapshots(dir);
  if (snapshots.size() <= keep) return true;
  for (std::size_t i = 0; i + keep < snapshots.size(); ++i) {
    std::error_code ec;
    std::filesystem::remove(snapshots[i].second, ec);
    if (ec) {
      if (error) *error = "cannot remove " + snapshots[i].second.string() + ": " + ec.message();
      return false;
    }
  }
  return true;
}

}  // namespace opd::durability
