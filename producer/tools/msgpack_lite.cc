#include "producer/tools/msgpack_lite.h"

namespace opd::tools::mp {

void Writer::big_endian(std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) byte(static_cast<std::uint8_t>((value >> (8 * i)) & 0xff));
}

void Writer::map(std::uint32_t entries) {
  if (entries <= 15) {
    byte(static_cast<std::uint8_t>(0x80 | entries));
  } else if (entries <= 0xffff) {
    byte(0xde);
    big_endian(entries, 2);
  } else {
    byte(0xdf);
    big_endian(entries, 4);
  }
}

void Writer::str(std::string_view text) {
  const auto n = text.size();
  if (n <= 31) {
    byte(static_cast<std::uint8_t>(0xa0 | n));
  } else if (n <= 0xff) {
    byte(0xd9);
    big_endian(n, 1);
  } else if (n <= 0xffff) {
    byte(0xda);
    big_endian(n, 2);
  } else {
    byte(0xdb);
    big_endian(n, 4);
  }
  out_.append(text);
}

void Writer::uint(std::uint64_t value) {
  if (value <= 0x7f) {
    byte(static_cast<std::uint8_t>(value));
  } else if (value <= 0xff) {
    byte(0xcc);
    big_endian(value, 1);
  } else if (value <= 0xffff) {
    byte(0xcd);
    big_endian(value, 2);
  } else if (value <= 0xffffffff) {
    byte(0xce);
    big_endian(value, 4);
  } else {
    byte(0xcf);
    big_endian(value, 8);
  }
}

namespace {

constexpr int kMaxDepth = 8;

class Reader {
 public:
  Reader(const std::uint8_t* p, std::size_t n) : p_(p), end_(p + n) {}

  [[nodiscard]] bool at_end() const { return p_ == end_; }

  bool read_be(int bytes, std::uint64_t& out) {
    if (end_ - p_ < bytes) return false;
    out = 0;
    for (int i = 0; i < bytes; ++i) out = (out << 8) | *p_++;
    return true;
  }

  bool skip_bytes(std::uint64_t n) {
    if (static_cast<std::uint64_t>(end_ - p_) < n) return false;
    p_ += n;
    return true;
  }

  // A string value; false when the next value is not a string.
  bool str(std::string_view& out) {
    if (p_ == end_) return false;
    const std::uint8_t b = *p_;
    std::uint64_t n = 0;
    if ((b & 0xe0) == 0xa0) {
      ++p_;
      n = b & 0x1f;
    } else if (b >= 0xd9 && b <= 0xdb) {
      ++p_;
      if (!read_be(1 << (b - 0xd9), n)) return false;
    } else {
      return false;
    }
    if (static_cast<std::uint64_t>(end_ - p_) < n) return false;
    out = std::string_view(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n));
    p_ += n;
    return true;
  }

  // The header byte without consuming it, or -1 at the end.
  [[nodiscard]] int peek() const { return p_ == end_ ? -1 : *p_; }

  bool map_header(std::uint64_t& entries) {
    if (p_ == end_) return false;
    const std::uint8_t b = *p_++;
    if ((b & 0xf0) == 0x80) {
      entries = b & 0x0f;
      return true;
    }
    if (b == 0xde) return read_be(2, entries);
    if (b == 0xdf) return read_be(4, entries);
    return false;
  }

  bool skip(int depth) {
    if (depth > kMaxDepth || p_ == end_) return false;
    const std::uint8_t b = *p_++;
    std::uint64_t n = 0;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) return true;
    if ((b & 0xe0) == 0xa0) return skip_bytes(b & 0x1f);
    if ((b & 0xf0) == 0x80) return skip_entries(b & 0x0f, 2, depth);
    if ((b & 0xf0) == 0x90) return skip_entries(b & 0x0f, 1, depth);
    switch (b) {
      case 0xc4: case 0xc5: case 0xc6:  // bin 8/16/32
        return read_be(1 << (b - 0xc4), n) && skip_bytes(n);
      case 0xc7: case 0xc8: case 0xc9:  // ext 8/16/32
        return read_be(1 << (b - 0xc7), n) && skip_bytes(n + 1);
      case 0xca: return skip_bytes(4);
      case 0xcb: return skip_bytes(8);
      case 0xcc: case 0xd0: return skip_bytes(1);
      case 0xcd: case 0xd1: return skip_bytes(2);
      case 0xce: case 0xd2: return skip_bytes(4);
      case 0xcf: case 0xd3: return skip_bytes(8);
      case 0xd4: return skip_bytes(2);
      case 0xd5: return skip_bytes(3);
      case 0xd6: return skip_bytes(5);
      case 0xd7: return skip_bytes(9);
      case 0xd8: return skip_bytes(17);
      case 0xd9: case 0xda: case 0xdb:
        return read_be(1 << (b - 0xd9), n) && skip_bytes(n);
      case 0xdc: return read_be(2, n) && skip_entries(n, 1, depth);
      case 0xdd: return read_be(4, n) && skip_entries(n, 1, depth);
      case 0xde: return read_be(2, n) && skip_entries(n, 2, depth);
      case 0xdf: return read_be(4, n) && skip_entries(n, 2, depth);
      default: return false;  // 0xc1 is never used
    }
  }

  bool uint(std::uint64_t& out) {
    if (p_ == end_) return false;
    const std::uint8_t b = *p_;
    if (b <= 0x7f) {
      ++p_;
      out = b;
      return true;
    }
    if (b >= 0xcc && b <= 0xcf) {
      ++p_;
      return read_be(1 << (b - 0xcc), out);
    }
    return false;
  }

 private:
  bool skip_entries(std::uint64_t count, int values_per_entry, int depth) {
    // Each value needs at least one byte: refuse counts the input cannot hold.
    if (count > static_cast<std::uint64_t>(end_ - p_)) return false;
    for (std::uint64_t i = 0; i < count * static_cast<std::uint64_t>(values_per_entry); ++i)
      if (!skip(depth + 1)) return false;
    return true;
  }

  const std::uint8_t* p_;
  const std::uint8_t* end_;
};

}  // namespace

bool scan_result(const void* data, std::size_t size, ResultFields& out) {
  out = ResultFields{};
  Reader r(static_cast<const std::uint8_t*>(data), size);
  std::uint64_t entries = 0;
  if (!r.map_header(entries)) return false;
  for (std::uint64_t i = 0; i < entries; ++i) {
    std::string_view key;
    if (!r.str(key)) return false;
    std::string_view* text = nullptr;
    if (key == "request_id") text = &out.request_id;
    else if (key == "status") text = &out.status;
    else if (key == "code") text = &out.code;
    else if (key == "token_id") text = &out.token_id;
    if (text != nullptr && (r.peek() & 0xe0) != 0xa0 && !(r.peek() >= 0xd9 && r.peek() <= 0xdb)) text = nullptr;
    if (text != nullptr) {
      if (!r.str(*text)) return false;
    } else if (key == "seq" && r.uint(out.seq)) {
      out.has_seq = true;
    } else if (key == "duplicate" && (r.peek() == 0xc2 || r.peek() == 0xc3)) {
      out.duplicate = r.peek() == 0xc3;
      if (!r.skip(0)) return false;
    } else if (!r.skip(0)) {
      return false;
    }
  }
  return r.at_end();
}

}  // namespace opd::tools::mp
