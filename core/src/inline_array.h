// Private: a growable array whose first kInline elements live inside the
// object, for a slot's seat keys and seat list: the scans (victim choice,
// call_next, ahead) then read them right beside the slot's counts, without
// first loading a vector's header to find them on the heap.
//
// Thread-safety: none (owned by the engine's thread).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace opd {

template <class T, std::size_t kInline>
class InlineArray {
  static_assert(std::is_trivially_copyable_v<T> && kInline > 0);

 public:
  InlineArray() = default;
  InlineArray(const InlineArray& other) { *this = other; }
  InlineArray& operator=(const InlineArray& other) {
    if (this == &other) return *this;
    size_ = 0;
    reserve(other.size_);
    std::copy_n(other.data(), other.size_, data());
    size_ = other.size_;
    return *this;
  }
  InlineArray(InlineArray&& other) noexcept { *this = std::move(other); }
  InlineArray& operator=(InlineArray&& other) noexcept {
    if (this == &other) return *this;
    heap_ = std::move(other.heap_);
    capacity_ = other.capacity_;
    size_ = other.size_;
    if (!heap_) std::copy_n(other.inline_, size_, inline_);
    other.capacity_ = kInline;
    other.size_ = 0;
    return *this;
  }
  ~InlineArray() = default;

  [[nodiscard]] T* data() noexcept { return heap_ ? heap_.get() : inline_; }
  [[nodiscard]] const T* data() const noexcept { return heap_ ? heap_.get() : inline_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] bool empty() const noexcept { return size_ == 0; }
  // REQUIRES: i < size().
  [[nodiscard]] T& operator[](std::size_t i) noexcept { return data()[i]; }
  [[nodiscard]] const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  // REQUIRES: !empty().
  [[nodiscard]] T& back() noexcept { return data()[size_ - 1]; }
  [[nodiscard]] const T* begin() const noexcept { return data(); }
  [[nodiscard]] const T* end() const noexcept { return data() + size_; }

  void push_back(const T& value) {
    if (size_ == capacity_) reserve(std::size_t{capacity_} * 2);
    data()[size_++] = value;
  }
  // REQUIRES: !empty().
  void pop_back() noexcept { --size_; }
  void clear() noexcept { size_ = 0; }
  // Room for `n` elements; never shrinks.
  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    auto bigger = std::make_unique<T[]>(n);
    std::copy_n(data(), size_, bigger.get());
    heap_ = std::move(bigger);
    capacity_ = static_cast<std::uint32_t>(n);
  }

 private:
  std::uint32_t size_ = 0;
  std::uint32_t capacity_ = kInline;
  std::unique_ptr<T[]> heap_;  // null while the elements fit inline_
  T inline_[kInline]{};
};

}  // namespace opd
