#include "opd/worker/security/curve_key.h"

#include "guarded_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <zmq.h>

namespace opd::worker::security {
namespace {

constexpr std::string_view kWhitespace = " \t\r";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

void require_curve() {
  if (zmq_has("curve") == 0) throw std::runtime_error("this libzmq was built without CURVE security");
}

std::string errno_text(int error) { return std::strerror(error); }

}  // namespace

std::optional<CurveKey> CurveKey::from_z85(std::string_view z85) {
  if (z85.size() != kCurveKeyZ85Chars) return std::nullopt;
  // zmq_z85_decode wants a NUL-terminated string.
  std::array<char, kCurveKeyZ85Chars + 1> text{};
  std::memcpy(text.data(), z85.data(), z85.size());
  CurveKey key;
  if (zmq_z85_decode(key.bytes_.data(), text.data()) == nullptr) return std::nullopt;
  return key;
}

CurveKey CurveKey::from_bytes(const std::array<std::uint8_t, kCurveKeyBytes>& bytes) noexcept {
  CurveKey key;
  key.bytes_ = bytes;
  return key;
}

std::string CurveKey::z85() const {
  std::array<char, kCurveKeyZ85Chars + 1> text{};
  // Cannot fail: 32 bytes is a multiple of 4.
  (void)zmq_z85_encode(text.data(), bytes_.data(), bytes_.size());
  return std::string(text.data(), kCurveKeyZ85Chars);
}

CurveKeyPair generate_key_pair() {
  require_curve();
  std::array<char, kCurveKeyZ85Chars + 1> public_text{};
  std::array<char, kCurveKeyZ85Chars + 1> secret_text{};
  if (zmq_curve_keypair(public_text.data(), secret_text.data()) != 0)
    throw std::runtime_error("zmq_curve_keypair: " + std::string(zmq_strerror(zmq_errno())));
  auto public_key = CurveKey::from_z85(std::string_view(public_text.data(), kCurveKeyZ85Chars));
  auto secret_key = CurveKey::from_z85(std::string_view(secret_text.data(), kCurveKeyZ85Chars));
  if (!public_key || !secret_key) throw std::runtime_error("zmq_curve_keypair returned an invalid key");
  return CurveKeyPair{*public_key, *secret_key};
}

CurveKey public_key_of(const CurveKey& secret) {
  require_curve();
  const std::string secret_text = secret.z85();
  std::array<char, kCurveKeyZ85Chars + 1> public_text{};
  if (zmq_curve_public(public_text.data(), secret_text.c_str()) != 0)
    throw std::runtime_error("zmq_curve_public: " + std::string(zmq_strerror(zmq_errno())));
  auto key = CurveKey::from_z85(std::string_view(public_text.data(), kCurveKeyZ85Chars));
  if (!key) throw std::runtime_error("zmq_curve_public returned an invalid key");
  return *key;
}

KeyFileLoad parse_key_text(std::string_view text, std::string_view origin) {
  KeyFileLoad load;
  std::size_t line_number = 0;
  std::size_t key_line = 0;
  while (!text.empty()) {
    ++line_number;
    const auto newline = text.find('\n');
    const std::string_view line = trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    // '#' is a Z85 character, but never a key's first one (that 5-character
    // group would exceed 32 bits, and zmq_z85_decode refuses it).
    if (line.empty()) continue;
    if (auto key = CurveKey::from_z85(line)) {
      if (load.key) {
        load.key.reset();
        load.error = std::string(origin) + ":" + std::to_string(line_number) + ": a second key (the first is on line " +
                     std::to_string(key_line) + "); a key file holds one key";
        return load;
      }
      load.key = key;
      key_line = line_number;
      continue;
    }
    if (line.front() == '#') continue;
    load.error = std::string(origin) + ":" + std::to_string(line_number) + ": not a key: expected " +
                 std::to_string(kCurveKeyZ85Chars) + " Z85 characters, got " + std::to_string(line.size()) +
                 " characters";
    return load;
  }
  if (!load.key) load.error = std::string(origin) + ": no key in the file";
  return load;
}

KeyFileLoad read_key_file(const std::filesystem::path& path, KeyKind kind) {
  const std::string name = path.string();
  // Key files are a few lines; anything large is not one.
  constexpr std::size_t kMaxKeyFileBytes = 64 * 1024;
  auto read = read_guarded_file(
      name, kMaxKeyFileBytes,
      [&](mode_t mode) {
        if (kind != KeyKind::kSecret || (mode & 077) == 0) return std::string();
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
        return "a secret key must not be accessible by group or others (mode " + std::string(octal) +
               "); run: chmod 600 " + name;
      },
      ": not a key file");
  if (!read.error.empty()) return KeyFileLoad{.error = std::move(read.error)};
  return parse_key_text(read.text, name);
}

std::string write_key_file(const std::filesystem::path& path, const CurveKey& key, KeyKind kind, bool overwrite) {
  const std::string name = path.string();
  const mode_t mode = kind == KeyKind::kSecret ? 0600 : 0644;
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
  flags |= overwrite ? O_TRUNC : O_EXCL;
  const int fd = ::open(name.c_str(), flags, mode);
  if (fd < 0) {
    if (errno == EEXIST) return name + ": already exists (give --force to overwrite it)";
    return name + ": cannot create: " + errno_text(errno);
  }
  // An overwritten file keeps its old mode: force the right one.
  if (::fchmod(fd, mode) != 0) {
    const int error = errno;
    ::close(fd);
    return name + ": cannot set its mode: " + errno_text(error);
  }
  const std::string text = std::string(kind == KeyKind::kSecret
                                           ? "# opd CURVE secret key (Z85). Keep it private: mode 0600.\n"
                                           : "# opd CURVE public key (Z85).\n") +
                           key.z85() + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return name + ": cannot write: " + errno_text(error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    return name + ": cannot fsync: " + errno_text(error);
  }
  if (::close(fd) != 0) return name + ": cannot close: " + errno_text(errno);
  return {};
}

}  // namespace opd::worker::security
