#include "opd/worker/encode.h"

#include <msgpack.hpp>

#include "opd/worker/protocol.h"

namespace opd::worker {
namespace {

// Writes one map whose size is only known at the end. A one-byte fixmap
// header is reserved and patched with the count; the rare map with more
// than 15 keys widens it in place to map16. Our flat maps (results, events,
// tokens) stay under 16 keys, so the hot path never moves bytes, and the
// bytes on the wire are canonical MessagePack either way.
class Map {
 public:
  explicit Map(ByteBuffer& out) : out_(out), packer_(out), at_(out.size()) {
    out_.raw().push_back(static_cast<char>(0x80));
  }

  Map& str(std::string_view key, std::string_view value) {
    this->key(key);
    pack_str(value);
    return *this;
  }
  Map& uint(std::string_view key, std::uint64_t value) {
    this->key(key);
    packer_.pack_uint64(value);
    return *this;
  }
  Map& boolean(std::string_view key, bool value) {
    this->key(key);
    value ? packer_.pack_true() : packer_.pack_false();
    return *this;
  }
  Map& nil(std::string_view key) {
    this->key(key);
    packer_.pack_nil();
    return *this;
  }
  template <class Tag>
  Map& id(std::string_view key, const std::optional<Id<Tag>>& value) {
    if (value) str(key, value->view());
    return *this;
  }
  // The key of a value the caller packs next (a nested map or an array).
  Map& key(std::string_view key) {
    pack_str(key);
    ++count_;
    return *this;
  }
  msgpack::packer<ByteBuffer>& packer() noexcept { return packer_; }
  void pack_str(std::string_view text) {
    packer_.pack_str(static_cast<std::uint32_t>(text.size()));
    packer_.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
  }

  void done() {
    auto& raw = out_.raw();
    if (count_ <= 15) {
      raw[at_] = static_cast<char>(0x80 | count_);
    } else if (count_ <= 0xffff) {
      const char header[3] = {static_cast<char>(0xde), static_cast<char>(count_ >> 8),
                              static_cast<char>(count_ & 0xff)};
      raw.replace(at_, 1, header, sizeof header);
    } else {
      const char header[5] = {static_cast<char>(0xdf), static_cast<char>(count_ >> 24),
                              static_cast<char>((count_ >> 16) & 0xff),
                              static_cast<char>((count_ >> 8) & 0xff), static_cast<char>(count_ & 0xff)};
      raw.replace(at_, 1, header, sizeof header);
    }
  }

 private:
  ByteBuffer& out_;
  msgpack::packer<ByteBuffer> packer_;
  std::size_t at_;
  std::uint32_t count_ = 0;
};

void source_fields(Map& map, const std::optional<Source>& source) {
  if (!source) return;
  map.str("source", to_string(*source));
  map.uint("priority", static_cast<std::uint64_t>(priority_of(*source)));
}

void token_map(ByteBuffer& out, const TokenInfo& token) {
  Map map(out);
  map.str("token_id", token.token_id.view())
      .uint("token_number", token.token_number)
      .str("source", to_string(token.source))
      .uint("priority", static_cast<std::uint64_t>(priority_of(token.source)))
      .str("state", to_string(token.state));
  map.done();
}

void time_field(Map& map, std::string_view key, const std::optional<ClockTime>& time) {
  if (time)
    map.str(key, time->str());
  else
    map.nil(key);
}

void tally_map(ByteBuffer& out, const Tally& tally) {
  Map map(out);
  map.uint("allocated", tally.allocated)
      .uint("displaced", tally.displaced)
      .uint("moved_in", tally.moved_in)
      .uint("waitlisted", tally.waitlisted)
      .uint("cancelled", tally.cancelled)
      .uint("served", tally.served)
      .uint("no_shows", tally.no_shows);
  map.key("rejected");
  {
    Map rejected(out);
    for (int c = 0; c < kCodeCount; ++c) {
      const auto n = tally.rejected[static_cast<std::size_t>(c)];
      if (n != 0) rejected.uint(to_string(static_cast<Code>(c)), n);
    }
    rejected.done();
  }
  map.done();
}

void report_map(ByteBuffer& out, const DayReport& report) {
  Map map(out);
  if (report.date)
    map.str("date", report.date->str());
  else
    map.nil("date");
  map.key("doctors").packer().pack_array(static_cast<std::uint32_t>(report.doctors.size()));
  for (const auto& doctor : report.doctors) {
    Map d(out);
    d.str("doctor_id", doctor.doctor_id.view()).uint("waitlisted_at_close", doctor.waitlisted_at_close);
    d.key("total");
    tally_map(out, doctor.total);
    d.key("unplaced");
    tally_map(out, doctor.unplaced);
    d.key("slots").packer().pack_array(static_cast<std::uint32_t>(doctor.slots.size()));
    for (const auto& slot : doctor.slots) {
      Map s(out);
      s.str("slot_id", slot.slot_id.view()).uint("capacity", slot.capacity);
      s.key("tally");
      tally_map(out, slot.tally);
      s.done();
    }
    d.done();
  }
  map.key("unattributed");
  tally_map(out, report.unattributed);
  map.done();
}

}  // namespace

void encode_result(ByteBuffer& out, std::uint64_t seq, const Result& r) {
  Map map(out);
  map.uint("seq", seq)
      .str("request_id", r.request_id.view())
      .str("type", to_string(r.type))
      .str("status", to_string(r.status))
      .boolean("duplicate", r.duplicate);
  if (r.status == Status::kRejected) map.str("code", to_string(r.code));
  if (!r.reason.empty()) map.str("reason", r.reason);
  if (r.token_id) {
    map.str("token_id", r.token_id->view());
    map.uint("token_number", r.token_number);
  }
  map.id("doctor_id", r.doctor_id).id("slot_id", r.slot_id);
  source_fields(map, r.source);
  map.id("removed_token", r.removed_token);
  if (r.moved_to) map.str("moved_to", r.moved_to->slot ? r.moved_to->slot->view() : kWaitlistWire);
  map.id("alternative_slot", r.alternative_slot);
  if (r.ahead) map.uint("ahead", *r.ahead);
  if (r.capacity) map.uint("capacity", *r.capacity);
  if (r.date) map.str("date", r.date->str());
  if (r.report) {
    map.key("report");
    report_map(out, *r.report);
  }
  map.done();
}

void encode_malformed(ByteBuffer& out, std::uint64_t seq, const DecodedRequest& decoded) {
  Map map(out);
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

void encode_event(ByteBuffer& out, std::uint64_t seq, const BoardEvent& e) {
  Map map(out);
  map.uint("seq", seq)
      .uint("version", e.version)
      .str("event", to_string(e.kind))
      .str("doctor_id", e.doctor_id.view());
  if (e.token_id) {
    map.str("token_id", e.token_id->view());
    map.uint("token_number", e.token_number);
  }
  map.id("slot_id", e.slot_id);
  // The waitlist has no slot id; on the wire it is named, so a display can
  // apply MOVED and WAITLISTED as plain "from -> to" without special cases.
  if (e.kind == EventKind::kMoved) {
    map.str("from_slot", e.from_slot ? e.from_slot->view() : kWaitlistWire);
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

void encode_heartbeat(ByteBuffer& out, const WorkerStatus& status) {
  Map map(out);
  map.uint("seq", status.seq)
      .str("start_id", status.start_id)
      .uint("uptime_s", status.uptime_s)
      .uint("protocol", kProtocolVersion);
  map.done();
}

void encode_snapshot(ByteBuffer& out, std::uint64_t seq, const Board& board) {
  Map map(out);
  map.str("doctor_id", board.doctor_id.view()).uint("version", board.version).uint("seq", seq);
  map.key("slots").packer().pack_array(static_cast<std::uint32_t>(board.slots.size()));
  for (const auto& slot : board.slots) {
    Map s(out);
    s.str("slot_id", slot.slot_id.view());
    time_field(s, "start", slot.start);
    time_field(s, "end", slot.end);
    s.uint("capacity", slot.capacity);
    s.key("tokens").packer().pack_array(static_cast<std::uint32_t>(slot.tokens.size()));
    for (const auto& token : slot.tokens) token_map(out, token);
    s.done();
  }
  map.key("waitlist").packer().pack_array(static_cast<std::uint32_t>(board.waitlist.size()));
  for (const auto& token : board.waitlist) token_map(out, token);
  map.key("now_serving");
  if (board.now_serving)
    token_map(out, *board.now_serving);
  else
    map.packer().pack_nil();
  map.done();
}

void encode_token_status(ByteBuffer& out, const TokenStatus& status) {
  Map map(out);
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
  Map map(out);
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
  Map map(out);
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
    Map rejected(out);
    for (int c = 1; c < kCodeCount; ++c)
      rejected.uint(to_string(static_cast<Code>(c)), stats.rejected[static_cast<std::size_t>(c)]);
    rejected.done();
  }
  map.done();
}

void encode_report(ByteBuffer& out, std::uint64_t seq, const DayReport& report) {
  Map map(out);
  map.uint("seq", seq);
  map.key("report");
  report_map(out, report);
  map.done();
}

void encode_query_error(ByteBuffer& out, Code code, std::string_view reason) {
  Map map(out);
  map.str("code", to_string(code)).str("reason", reason);
  map.done();
}

}  // namespace opd::worker
