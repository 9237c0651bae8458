// CURVE keys and the files that hold them.
//
// A key file is text: '#' comment lines and blank lines, and exactly one
// line holding the key as 40 characters of Z85 (ZeroMQ's RFC 32 encoding of
// the 32 key bytes), so an operator can read, diff and paste it:
//
//   # opd CURVE secret key (Z85). Keep it private: mode 0600.
//   D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs
//
// A secret key file must not be readable or writable by group or others
// (like ssh's private keys): a worker or tool refuses one that is, rather
// than run with a key anybody on the machine could have copied. Its public
// key is derived from it, so a client or server needs one file, not two.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace opd::worker::security {

inline constexpr std::size_t kCurveKeyBytes = 32;
inline constexpr std::size_t kCurveKeyZ85Chars = 40;

// 32 key bytes. Whether they are a public or a secret key is the holder's
// business (the file they came from says which).
class CurveKey {
 public:
  // nullopt unless `z85` is exactly 40 valid Z85 characters.
  [[nodiscard]] static std::optional<CurveKey> from_z85(std::string_view z85);
  [[nodiscard]] static CurveKey from_bytes(const std::array<std::uint8_t, kCurveKeyBytes>& bytes) noexcept;

  [[nodiscard]] const std::array<std::uint8_t, kCurveKeyBytes>& bytes() const noexcept { return bytes_; }
  [[nodiscard]] std::string z85() const;

  friend bool operator==(const CurveKey&, const CurveKey&) = default;
  friend auto operator<=>(const CurveKey&, const CurveKey&) = default;

 private:
  std::array<std::uint8_t, kCurveKeyBytes> bytes_{};
};

struct CurveKeyPair {
  CurveKey public_key;
  CurveKey secret_key;
};

// A fresh key pair from libzmq (libsodium's randomness). Throws
// std::runtime_error when libzmq was built without CURVE.
[[nodiscard]] CurveKeyPair generate_key_pair();
// The public key of `secret`. Throws std::runtime_error as above.
[[nodiscard]] CurveKey public_key_of(const CurveKey& secret);

enum class KeyKind : std::uint8_t { kPublic, kSecret };

struct KeyFileLoad {
  std::optional<CurveKey> key;
  std::string error;  // one line naming the file (and line), empty on success
};

// Reads a key file. A secret key file with group or other permissions is
// refused (see above).
[[nodiscard]] KeyFileLoad read_key_file(const std::filesystem::path& path, KeyKind kind);

// Parses the text of a key file; `origin` names it in errors.
[[nodiscard]] KeyFileLoad parse_key_text(std::string_view text, std::string_view origin);

// Writes `key` as a key file. Secret keys are created with mode 0600 from
// the start (never briefly readable by others); public keys 0644. An
// existing file is an error unless `overwrite`. Returns an error message,
// empty on success. The data is fsynced before returning: a key that was
// announced (its public half printed) must survive a power cut.
[[nodiscard]] std::string write_key_file(const std::filesystem::path& path, const CurveKey& key, KeyKind kind,
                                         bool overwrite);

}  // namespace opd::worker::security
