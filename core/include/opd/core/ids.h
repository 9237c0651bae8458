// Strong identifier types for the allocator's domain.
//
// Every identifier that crosses the core's boundary (doctor, slot, token,
// request) is a string of 1-64 characters from [A-Za-z0-9._:-]. Wrapping each
// in its own type makes it a compile error to pass a SlotId where a DoctorId
// is expected, and makes "an id that broke the rule" unrepresentable: the only
// way to obtain one is parse(), which validates.
//
// Thread-safety: values; safe to share when not mutated.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace opd {

inline constexpr std::size_t kMaxIdLength = 64;

// True when `text` satisfies the id rule: 1-64 characters of [A-Za-z0-9._:-].
[[nodiscard]] bool is_valid_id(std::string_view text) noexcept;

namespace detail {
struct IdAccess;  // the core's unchecked construction path (core/src only)
// Opens Id's in-place constructor below to std::optional::emplace, and to
// nobody but IdAccess, which alone can make one.
class IdKey {
  friend struct IdAccess;
  constexpr IdKey() noexcept = default;
};
// kWaitlistName, length first (checked below), for IdRef::waitlist().
inline constexpr char kWaitlistSized[] = "\x08WAITLIST";
}  // namespace detail

// A view of an id (or of kWaitlistName) kept length first: one pointer to
// a byte holding the size, the characters right after it, as Id keeps
// them. Half a std::string_view, and making one reads nothing: answers in
// place (outcome_ref.h) carry up to seven, and whoever reads one reads the
// id's bytes anyway. Empty (a null pointer) means absent.
//
// Lifetime: views what it was made from; see outcome_ref.h.
class IdRef {
 public:
  constexpr IdRef() noexcept = default;
  [[nodiscard]] constexpr bool empty() const noexcept { return sized_ == nullptr; }
  [[nodiscard]] constexpr std::string_view view() const noexcept {
    if (sized_ == nullptr) return {};
    return {sized_ + 1, static_cast<std::uint8_t>(sized_[0])};
  }
  // Compares the text: an empty ref equals only "".
  friend constexpr bool operator==(IdRef a, std::string_view b) noexcept { return a.view() == b; }

  // kWaitlistName, for a result's moved_to.
  [[nodiscard]] static constexpr IdRef waitlist() noexcept { return IdRef(detail::kWaitlistSized); }

 private:
  template <class Tag>
  friend class Id;
  friend struct detail::IdAccess;
  // REQUIRES: sized[0] is the size, and that many characters follow.
  constexpr explicit IdRef(const char* sized) noexcept : sized_(sized) {}
  const char* sized_ = nullptr;
};

// The characters live inline (no heap): ids are short and copied into every
// result and board event, and a fixed-size copy is a few vector moves where
// a std::string copy is a call, a branch on its length and maybe a malloc.
template <class Tag>
class Id {
 public:
  // Returns nullopt when `text` breaks the id rule.
  [[nodiscard]] static std::optional<Id> parse(std::string_view text) noexcept {
    if (!is_valid_id(text)) return std::nullopt;
    return Id(text);
  }

  // REQUIRES: is_valid_id(text). For literals in tests and tools; aborts
  // via std::invalid_argument on a bad literal rather than carrying it.
  [[nodiscard]] static Id from_trusted(std::string_view text);

  // "-": a valid id for members that are always assigned before they are
  // read (Result::request_id, BoardEvent::doctor_id); skips parse() because
  // it sits on the engine's hot path.
  [[nodiscard]] static constexpr Id placeholder() noexcept { return Id(std::string_view("-")); }

  // The core's in-place construction from text it formatted itself: the
  // first `size` of `chars` are valid id text (see detail::IdKey).
  // REQUIRES: size <= N.
  template <std::size_t N>
    requires(N <= kMaxIdLength)
  Id(detail::IdKey, const char (&chars)[N], std::uint8_t size) noexcept : size_(size) {
    std::memcpy(chars_, chars, N);
  }

  [[nodiscard]] std::string str() const { return std::string(view()); }
  [[nodiscard]] constexpr std::string_view view() const noexcept { return {chars_, size_}; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  // REQUIRES: *this outlives the ref.
  [[nodiscard]] IdRef ref() const noexcept {
    static_assert(std::is_standard_layout_v<Id> && offsetof(Id, size_) == 0 && offsetof(Id, chars_) == 1);
    return IdRef(reinterpret_cast<const char*>(this));
  }

  friend constexpr bool operator==(const Id& a, const Id& b) noexcept { return a.view() == b.view(); }
  friend constexpr auto operator<=>(const Id& a, const Id& b) noexcept { return a.view() <=> b.view(); }

 private:
  friend struct detail::IdAccess;
  // REQUIRES: is_valid_id(text).
  constexpr explicit Id(std::string_view text) noexcept
      : size_(static_cast<std::uint8_t>(text.size() < kMaxIdLength ? text.size() : kMaxIdLength)) {
    if (std::is_constant_evaluated()) {
      for (std::size_t i = 0; i < size_; ++i) chars_[i] = text[i];
    } else {
      std::memcpy(chars_, text.data(), size_);
    }
  }
  // In this order, size first: IdRef reads them as one length-first text.
  std::uint8_t size_ = 0;
  char chars_[kMaxIdLength] = {};
};

[[noreturn]] void throw_invalid_id(std::string_view text);

template <class Tag>
Id<Tag> Id<Tag>::from_trusted(std::string_view text) {
  auto id = parse(text);
  if (!id) throw_invalid_id(text);
  return *id;
}

using DoctorId = Id<struct DoctorIdTag>;
using SlotId = Id<struct SlotIdTag>;
using TokenId = Id<struct TokenIdTag>;
using RequestId = Id<struct RequestIdTag>;

// "WAITLIST" names the waitlist on the wire (moved_to, from_slot, to_slot),
// so no slot may carry that id.
inline constexpr std::string_view kWaitlistName = "WAITLIST";
static_assert(detail::kWaitlistSized[0] == kWaitlistName.size() &&
              std::string_view(detail::kWaitlistSized + 1) == kWaitlistName);

}  // namespace opd

template <class Tag>
struct std::hash<opd::Id<Tag>> {
  std::size_t operator()(const opd::Id<Tag>& id) const noexcept {
    return std::hash<std::string_view>{}(id.view());
  }
};
