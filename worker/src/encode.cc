#include "opd/worker/encode.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "opd/worker/protocol.h"

namespace opd::worker {

void ByteBuffer::grow(std::size_t n) {
  // Doubling, from a size that holds any usual message whole.
  constexpr std::size_t kFirst = 1024;
  bytes_.resize(std::max({size_ + n, 2 * bytes_.size(), kFirst}));
}

namespace {

// Writes MessagePack straight into the buffer's scratch room: each piece
// costs a bounds check and a few stores, where msgpack::packer made a
// std::string::append per header and per body, which dominated the
// encoder's profile. The bytes are those packer wrote: the smallest header
// for each length and value.
class Writer {
 public:
  explicit Writer(ByteBuffer& out) : out_(out) {}

  void str(std::string_view text) {
    const std::size_t n = text.size();
    char* p = room(5 + n);
    if (n < 32) {
      *p++ = static_cast<char>(0xa0 | n);
    } else if (n < 256) {
      *p++ = static_cast<char>(0xd9);
      *p++ = static_cast<char>(n);
    } else if (n < 65536) {
      *p++ = static_cast<char>(0xda);
      p = big_endian(p, n, 2);
    } else {
      *p++ = static_cast<char>(0xdb);
      p = big_endian(p, n, 4);
    }
    copy(p, text.data(), n);
    advance_to(p + n);
  }
  // A string known at compile time (every key but the rejected-code ones):
  // header and bytes become a few constant stores.
  template <std::size_t N>
  void literal(const char (&text)[N]) {
    static_assert(N - 1 < 32, "a literal key must fit a fixstr");
    char* p = out_.room(N);
    *p = static_cast<char>(0xa0 | (N - 1));
    std::memcpy(p + 1, text, N - 1);
    out_.resize(out_.size() + N);
  }
  void uint(std::uint64_t v) {
    char* p = room(9);
    if (v < 0x80) {
      *p++ = static_cast<char>(v);
    } else if (v < 0x100) {
      *p++ = static_cast<char>(0xcc);
      *p++ = static_cast<char>(v);
    } else if (v < 0x10000) {
      *p++ = static_cast<char>(0xcd);
      p = big_endian(p, v, 2);
    } else if (v < 0x100000000) {
      *p++ = static_cast<char>(0xce);
      p = big_endian(p, v, 4);
    } else {
      *p++ = static_cast<char>(0xcf);
      p = big_endian(p, v, 8);
    }
    advance_to(p);
  }
  void byte(unsigned char b) {
    *out_.room(1) = static_cast<char>(b);
    out_.resize(out_.size() + 1);
  }
  void nil() { byte(0xc0); }
  void boolean(bool v) { byte(v ? 0xc3 : 0xc2); }
  void array(std::size_t n) { container(n, 0x90, 0xdc, 0xdd); }

  // The header of a map whose size is known only at its end: one byte now,
  // patched by end_map. Our maps stay under 16 keys (fixmap), so the hot
  // path never moves bytes; a larger one widens the header in place.
  [[nodiscard]] std::size_t begin_map() {
    const std::size_t header = out_.size();
    byte(0x80);
    return header;
  }
  void end_map(std::size_t header, std::size_t count) {
    if (count < 16) {
      out_.data()[header] = static_cast<char>(0x80 | count);
      return;
    }
    const std::size_t width = count < 65536 ? 2 : 4;
    (void)out_.room(width);
    char* base = out_.data() + header;
    std::memmove(base + 1 + width, base + 1, out_.size() - header - 1);
    out_.resize(out_.size() + width);
    *base = static_cast<char>(width == 2 ? 0xde : 0xdf);
    big_endian(base + 1, count, width);
  }

 private:
  char* room(std::size_t n) { return out_.room(n); }
  void advance_to(const char* p) noexcept { out_.resize(static_cast<std::size_t>(p - out_.data())); }
  // Ids, names and numbers are short: two overlapping fixed-size copies
  // (plain moves) beat a call into libc's memcpy, which was the largest
  // single cost left in the encoder. Never reads or writes past n bytes.
  static void copy(char* to, const char* from, std::size_t n) noexcept {
    if (n > 32) {
      std::memcpy(to, from, n);
    } else if (n >= 16) {
      std::memcpy(to, from, 16);
      std::memcpy(to + n - 16, from + n - 16, 16);
    } else if (n >= 8) {
      std::memcpy(to, from, 8);
      std::memcpy(to + n - 8, from + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(to, from, 4);
      std::memcpy(to + n - 4, from + n - 4, 4);
    } else if (n >= 2) {
      std::memcpy(to, from, 2);
      std::memcpy(to + n - 2, from + n - 2, 2);
    } else if (n == 1) {
      *to = *from;
    }
  }
  static char* big_endian(char* p, std::uint64_t v, std::size_t width) noexcept {
    for (std::size_t i = width; i-- > 0;) *p++ = static_cast<char>(v >> (8 * i));
    return p;
  }
  void container(std::size_t n, unsigned char fix, unsigned char wide16, unsigned char wide32) {
    char* p = room(5);
    if (n < 16) {
      *p++ = static_cast<char>(fix | n);
    } else if (n < 65536) {
      *p++ = static_cast<char>(wide16);
      p = big_endian(p, n, 2);
    } else {
      *p++ = static_cast<char>(wide32);
      p = big_endian(p, n, 4);
    }
    advance_to(p);
  }

  ByteBuffer& out_;
};

// One map being written: keys and values through the writer, its entry
// count kept for the header.
class Map {
 public:
  explicit Map(Writer& w) : w_(w), header_(w.begin_map()) {}

  template <std::size_t N>
  Map& str(const char (&key)[N], std::string_view value) {
    this->key(key);
    w_.str(value);
    return *this;
  }
  template <std::size_t N>
  Map& uint(const char (&key)[N], std::uint64_t value) {
    this->key(key);
    w_.uint(value);
    return *this;
  }
  // A key computed at run time (the rejected counts by code name).
  Map& uint(std::string_view key, std::uint64_t value) {
    w_.str(key);
    ++count_;
    w_.uint(value);
    return *this;
  }
  template <std::size_t N>
  Map& boolean(const char (&key)[N], bool value) {
    this->key(key);
    w_.boolean(value);
    return *this;
  }
  template <std::size_t N>
  Map& nil(const char (&key)[N]) {
    this->key(key);
    w_.nil();
    return *this;
  }
  // An id of a ref (outcome_ref.h): empty means absent, and is left out.
  template <std::size_t N>
  Map& id(const char (&key)[N], IdRef value) {
    if (!value.empty()) str(key, value.view());
    return *this;
  }
  // The key of a value the caller writes next (a nested map or an array).
  template <std::size_t N>
  Map& key(const char (&key)[N]) {
    w_.literal(key);
    ++count_;
    return *this;
  }
  Writer& writer() noexcept { return w_; }

  void done() { w_.end_map(header_, count_); }

 private:
  Writer& w_;
  std::size_t header_;
  std::uint32_t count_ = 0;
};

void source_fields(Map& map, const std::optional<Source>& source) {
  if (!source) return;
  map.str("source", to_string(*source));
  map.uint("priority", static_cast<std::uint64_t>(priority_of(*source)));
}

void token_map(Writer& w, const TokenInfo& token) {
  Map map(w);
  map.str("token_id", token.token_id.view())
      .uint("token_number", token.token_number)
      .str("source", to_string(token.source))
      .uint("priority", static_cast<std::uint64_t>(priority_of(token.source)))
      .str("state", to_string(token.state));
  map.done();
}

template <std::size_t N>
void time_field(Map& map, const char (&key)[N], const std::optional<ClockTime>& time) {
  if (time)
    map.str(key, time->str());
  else
    map.nil(key);
}

void tally_map(Writer& w, const Tally& tally) {
  Map map(w);
  map.uint("allocated", tally.allocated)
      .uint("displaced", tally.displaced)
      .uint("moved_in", tally.moved_in)
      .uint("waitlisted", tally.waitlisted)
      .uint("cancelled", tally.cancelled)
      .uint("served", tally.served)
      .uint("no_shows", tally.no_shows);
  map.key("rejected");
  {
    Map rejected(w);
    for (int c = 0; c < kCodeCount; ++c) {
      const auto n = tally.rejected[static_cast<std::size_t>(c)];
      if (n != 0) rejected.uint(to_string(static_cast<Code>(c)), n);
    }
    rejected.done();
  }
  map.done();
}

void report_map(Writer& w, const DayReport& report) {
  Map map(w);
  if (report.date)
    map.str("date", report.date->str());
  else
    map.nil("date");
  map.key("doctors").writer().array(report.doctors.size());
  for (const auto& doctor : report.doctors) {
    Map d(w);
    d.str("doctor_id", doctor.doctor_id.view()).uint("waitlisted_at_close", doctor.waitlisted_at_close);
    d.key("total");
    tally_map(w, doctor.total);
    d.key("unplaced");
    tally_map(w, doctor.unplaced);
    d.key("slots").writer().array(doctor.slots.size());
    for (const auto& slot : doctor.slots) {
      Map s(w);
      s.str("slot_id", slot.slot_id.view()).uint("capacity", slot.capacity);
      s.key("tally");
      tally_map(w, slot.tally);
      s.done();
    }
    d.done();
  }
  map.key("unattributed");
  tally_map(w, report.unattributed);
  map.done();
}

}  // namespace

void encode_result(ByteBuffer& out, std::uint64_t seq, const ResultRef& r) {
  Writer w(out);
  Map map(w);
  map.uint("seq", seq)
      .str("request_id", r.request_id.view())
      .str("type", to_string(r.type))
      .str("status", to_string(r.status))
      .boolean("duplicate", r.duplicate);
  if (r.status == Status::kRejected) map.str("code", to_string(r.code));
  if (!r.reason.empty()) map.str("reason", r.reason);
  if (!r.token_id.empty()) {
    map.str("token_id", r.token_id.view());
    map.uint("token_number", r.token_number);
  }
  map.id("doctor_id", r.doctor_id).id("slot_id", r.slot_id);
  source_fields(map, r.source);
  map.id("removed_token", r.removed_token);
  map.id("moved_to", r.moved_to);  // a slot id or kWaitlistName, the wire's word
  map.id("alternative_slot", r.alternative_slot);
  if (r.ahead) map.uint("ahead", *r.ahead);
  if (r.capacity) map.uint("capacity", *r.capacity);
  if (r.day_opened != nullptr) {
    if (r.day_opened->date) map.str("date", r.day_opened->date->str());
    if (r.day_opened->report) {
      map.key("report");
      report_map(w, *r.day_opened->report);
    }
  }
  map.done();
}

void encode_result(ByteBuffer& out, std::uint64_t seq, const Result& result) {
  encode_result(out, seq, ref_of(result));
}

void encode_malformed(ByteBuffer& out, std::uint64_t seq, const DecodedRequest& decoded) {
  Writer w(out);
  Map map(w);
  map.uint("seq", seq);
  if (decoded.request_id)
    map.str("request_id", decoded.request_id->view());
  else
    map.nil("request_id");
  if (decoded.type)
    map.str("type", to_string(*decoded.type));
  else
    map.nil("type");
  map.str("status", to_string(Status::kRejected))
      .boolean("duplicate", false)
      .str("code", to_string(Code::kBadRequest))
      .str("reason", decoded.error);
  map.done();
}

void encode_event(ByteBuffer& out, std::uint64_t seq, const EventRef& e) {
  Writer w(out);
  Map map(w);
  map.uint("seq", seq)
      .uint("version", e.version)
      .str("event", to_string(e.kind))
      .str("doctor_id", e.doctor_id.view());
  if (!e.token_id.empty()) {
    map.str("token_id", e.token_id.view());
    map.uint("token_number", e.token_number);
  }
  map.id("slot_id", e.slot_id);
  // The waitlist has no slot id; on the wire it is named, so a display can
  // apply MOVED and WAITLISTED as plain "from -> to" without special cases.
  if (e.kind == EventKind::kMoved) {
    map.str("from_slot", e.from_slot.empty() ? kWaitlistWire : e.from_slot.view());
    map.id("to_slot", e.to_slot);
  } else if (e.kind == EventKind::kWaitlisted) {
    map.id("from_slot", e.from_slot);
    map.str("to_slot", kWaitlistWire);
  } else {
    map.id("from_slot", e.from_slot).id("to_slot", e.to_slot);
  }
  source_fields(map, e.source);
  if (e.capacity) map.uint("capacity", *e.capacity);
  if (e.date) map.str("date", e.date->str());
  map.done();
}

void encode_event(ByteBuffer& out, std::uint64_t seq, const BoardEvent& event) {
  encode_event(out, seq, ref_of(event));
}

void encode_heartbeat(ByteBuffer& out, const WorkerStatus& status) {
  Writer w(out);
  Map map(w);
  map.uint("seq", status.seq)
      .str("start_id", status.start_id)
      .uint("uptime_s", status.uptime_s)
      .uint("protocol", kProtocolVersion);
  map.done();
}

void encode_snapshot(ByteBuffer& out, std::uint64_t seq, const Board& board) {
  Writer w(out);
  Map map(w);
  map.str("doctor_id", board.doctor_id.view()).uint("version", board.version).uint("seq", seq);
  map.key("slots").writer().array(board.slots.size());
  for (const auto& slot : board.slots) {
    Map s(w);
    s.str("slot_id", slot.slot_id.view());
    time_field(s, "start", slot.start);
    time_field(s, "end", slot.end);
    s.uint("capacity", slot.capacity);
    s.key("tokens").writer().array(slot.tokens.size());
    for (const auto& token : slot.tokens) token_map(w, token);
    s.done();
  }
  map.key("waitlist").writer().array(board.waitlist.size());
  for (const auto& token : board.waitlist) token_map(w, token);
  map.key("now_serving");
  if (board.now_serving)
    token_map(w, *board.now_serving);
  else
    map.writer().nil();
  map.done();
}

void encode_token_status(ByteBuffer& out, const TokenStatus& status) {
  Writer w(out);
  Map map(w);
  map.str("token_id", status.token.token_id.view())
      .uint("token_number", status.token.token_number)
      .str("doctor_id", status.doctor_id.view());
  if (status.slot_id)
    map.str("slot_id", status.slot_id->view());
  else
    map.nil("slot_id");
  map.str("state", to_string(status.token.state));
  source_fields(map, status.token.source);
  if (status.ahead)
    map.uint("ahead", *status.ahead);
  else
    map.nil("ahead");
  map.done();
}

void encode_health(ByteBuffer& out, const WorkerStatus& status, const Engine& engine) {
  Writer w(out);
  Map map(w);
  map.str("status", "ok")
      .uint("seq", status.seq)
      .uint("uptime_s", status.uptime_s)
      .str("start_id", status.start_id)
      .uint("protocol", kProtocolVersion);
  if (const auto date = engine.current_date())
    map.str("date", date->str());
  else
    map.nil("date");
  map.done();
}

void encode_stats(ByteBuffer& out, const WorkerStatus& status, const Stats& stats) {
  Writer w(out);
  Map map(w);
  map.uint("seq", status.seq)
      .uint("uptime_s", status.uptime_s)
      .str("start_id", status.start_id)
      .uint("received", stats.received)
      .uint("applied", stats.applied)
      .uint("malformed", stats.malformed)
      .uint("duplicates", stats.duplicates)
      .uint("published", stats.published())
      .uint("results", stats.results)
      .uint("events", stats.events)
      .uint("heartbeats", stats.heartbeats)
      .uint("queries", stats.queries)
      .uint("bad_queries", stats.bad_queries)
      .uint("batches", stats.batches)
      .uint("largest_batch", stats.largest_batch);
  map.key("rejected");
  {
    // Every code, zeros included: a dashboard gets a stable shape.
    Map rejected(w);
    for (int c = 1; c < kCodeCount; ++c)
      rejected.uint(to_string(static_cast<Code>(c)), stats.rejected[static_cast<std::size_t>(c)]);
    rejected.done();
  }
  map.done();
}

void encode_report(ByteBuffer& out, std::uint64_t seq, const DayReport& report) {
  Writer w(out);
  Map map(w);
  map.uint("seq", seq);
  map.key("report");
  report_map(w, report);
  map.done();
}

void encode_query_error(ByteBuffer& out, Code code, std::string_view reason) {
  Writer w(out);
  Map map(w);
  map.str("code", to_string(code)).str("reason", reason);
  map.done();
}

}  // namespace opd::worker
