// Private: stable storage for the day's rejection reasons. Texts are copied
// into 64 KiB blocks, so keeping one costs a copy instead of a heap
// allocation, and a returned view stays valid until clear(): the reason
// list and its index hold string_views into the arena.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <cstring>
#include <initializer_list>
#include <memory>
#include <string_view>
#include <vector>

namespace opd {

class TextArena {
 public:
  // Copies the concatenation of `parts` and returns a view of the copy.
  [[nodiscard]] std::string_view store(std::initializer_list<std::string_view> parts) {
    std::size_t size = 0;
    for (const auto part : parts) size += part.size();
    char* at = reserve(size);
    char* out = at;
    for (const auto part : parts) {
      if (!part.empty()) std::memcpy(out, part.data(), part.size());
      out += part.size();
    }
    return {at, size};
  }

  void clear() noexcept {
    blocks_.clear();
    used_ = kBlockBytes;
  }

 private:
  static constexpr std::size_t kBlockBytes = 64 * 1024;

  char* reserve(std::size_t size) {
    if (size > kBlockBytes) {  // its own block, kept behind the one being filled
      auto block = std::make_unique_for_overwrite<char[]>(size);
      char* at = block.get();
      blocks_.insert(blocks_.empty() ? blocks_.end() : blocks_.end() - 1, std::move(block));
      return at;
    }
    if (blocks_.empty() || kBlockBytes - used_ < size) {
      blocks_.push_back(std::make_unique_for_overwrite<char[]>(kBlockBytes));
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    used_ += size;
    return at;
  }

  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = kBlockBytes;  // the current (last) block's fill
};

}  // namespace opd
