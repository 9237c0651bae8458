#include "producer/tools/wire.h"

#include <array>

namespace opd::tools {
namespace {

template <class Enum, int N>
std::optional<Enum> find_enum(std::string_view text) {
  for (int i = 0; i < N; ++i) {
    const auto value = static_cast<Enum>(i);
    if (to_string(value) == text) return value;
  }
  return std::nullopt;
}

// Reads into the core's strong id types; a present but invalid id is an
// error (the worker never sends one).
template <class IdType>
bool read_id(const json& map, std::string_view key, std::optional<IdType>& out, std::string* error) {
  const auto text = string_field(map, key);
  if (!text) return true;
  out = IdType::parse(*text);
  if (!out) {
    if (error) *error = "key '" + std::string(key) + "': '" + *text + "' is not a valid id";
    return false;
  }
  return true;
}

// from_slot / to_slot / moved_to: "WAITLIST" is the waitlist (no slot).
bool read_slot_or_waitlist(const json& map, std::string_view key, std::optional<SlotId>& out,
                           bool& is_waitlist, std::string* error) {
  is_waitlist = false;
  const auto text = string_field(map, key);
  if (!text) return true;
  if (*text == kWaitlistWire) {
    is_waitlist = true;
    return true;
  }
  return read_id(map, key, out, error);
}

bool fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return false;
}

std::optional<Tally> tally_from_json(const json& map, std::string* error) {
  if (!map.is_object()) {
    fail(error, "tally is not a map");
    return std::nullopt;
  }
  Tally tally;
  const std::array<std::pair<std::string_view, std::uint32_t*>, 7> counters{{
      {"allocated", &tally.allocated},
      {"displaced", &tally.displaced},
      {"moved_in", &tally.moved_in},
      {"waitlisted", &tally.waitlisted},
      {"cancelled", &tally.cancelled},
      {"served", &tally.served},
      {"no_shows", &tally.no_shows},
  }};
  for (const auto& [key, into] : counters) {
    const auto value = unsigned_field(map, key);
    if (!value) {
      fail(error, "tally key '" + std::string(key) + "' missing");
      return std::nullopt;
    }
    *into = static_cast<std::uint32_t>(*value);
  }
  if (const auto it = map.find("rejected"); it != map.end() && it->is_object()) {
    for (const auto& [name, count] : it->items()) {
      const auto code = parse_code(name);
      if (!code || !count.is_number_unsigned()) {
        fail(error, "tally.rejected: unknown code '" + name + "'");
        return std::nullopt;
      }
      tally.rejected[static_cast<std::size_t>(*code)] = count.get<std::uint32_t>();
    }
  }
  return tally;
}

}  // namespace

std::string to_msgpack(const json& value) {
  std::string bytes;
  json::to_msgpack(value, nlohmann::detail::output_adapter<char>(bytes));
  return bytes;
}

std::optional<json> from_msgpack(const void* data, std::size_t size) {
  const auto* begin = static_cast<const std::uint8_t*>(data);
  json value = json::from_msgpack(begin, begin + size, /*strict=*/true, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

json request_to_json(const Request& r, std::string_view client_id) {
  json map = json::object();
  map["type"] = std::string(to_string(r.type));
  map["request_id"] = r.request_id.str();
  if (!client_id.empty()) map["client_id"] = std::string(client_id);
  if (r.doctor_id) map["doctor_id"] = r.doctor_id->str();
  if (r.slot_id) map["slot_id"] = r.slot_id->str();
  if (r.source) map["source"] = std::string(to_string(*r.source));
  if (r.capacity) map["capacity"] = *r.capacity;
  if (r.patient_ref) map["patient_ref"] = *r.patient_ref;
  if (r.token_id) map["token_id"] = r.token_id->str();
  if (r.start) map["start"] = r.start->str();
  if (r.end) map["end"] = r.end->str();
  if (r.date) map["date"] = r.date->str();
  return map;
}

std::optional<Status> parse_status(std::string_view text) { return find_enum<Status, 9>(text); }
std::optional<Code> parse_code(std::string_view text) {
  if (text.empty()) return std::nullopt;
  return find_enum<Code, kCodeCount>(text);
}
std::optional<EventKind> parse_event_kind(std::string_view text) { return find_enum<EventKind, 9>(text); }
std::optional<TokenState> parse_token_state(std::string_view text) { return find_enum<TokenState, 6>(text); }

std::optional<std::string> string_field(const json& map, std::string_view key) {
  if (!map.is_object()) return std::nullopt;
  const auto it = map.find(key);
  if (it == map.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::optional<std::uint64_t> unsigned_field(const json& map, std::string_view key) {
  if (!map.is_object()) return std::nullopt;
  const auto it = map.find(key);
  if (it == map.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

std::optional<Result> result_from_json(const json& map, std::string* error) {
  if (!map.is_object()) {
    fail(error, "result is not a map");
    return std::nullopt;
  }
  Result r;
  const auto type = string_field(map, "type");
  const auto op = type ? parse_op_type(*type) : std::nullopt;
  if (!op) {
    fail(error, "result key 'type' missing or unknown");
    return std::nullopt;
  }
  r.type = *op;
  std::optional<RequestId> request_id;
  if (!read_id(map, "request_id", request_id, error)) return std::nullopt;
  if (request_id) r.request_id = *request_id;
  const auto status_text = string_field(map, "status");
  const auto status = status_text ? parse_status(*status_text) : std::nullopt;
  if (!status) {
    fail(error, "result key 'status' missing or unknown");
    return std::nullopt;
  }
  r.status = *status;
  if (const auto code = string_field(map, "code")) {
    const auto parsed = parse_code(*code);
    if (!parsed) {
      fail(error, "result key 'code': unknown code '" + *code + "'");
      return std::nullopt;
    }
    r.code = *parsed;
  }
  if (r.status == Status::kRejected && r.code == Code::kNone) {
    fail(error, "REJECTED result without 'code'");
    return std::nullopt;
  }
  r.reason = string_field(map, "reason").value_or("");
  bool waitlist = false;
  std::optional<SlotId> moved_to;
  if (!read_id(map, "token_id", r.token_id, error) || !read_id(map, "doctor_id", r.doctor_id, error) ||
      !read_id(map, "slot_id", r.slot_id, error) || !read_id(map, "removed_token", r.removed_token, error) ||
      !read_id(map, "alternative_slot", r.alternative_slot, error) ||
      !read_slot_or_waitlist(map, "moved_to", moved_to, waitlist, error))
    return std::nullopt;
  if (moved_to || waitlist) r.moved_to = Destination{moved_to};
  r.token_number = static_cast<std::uint32_t>(unsigned_field(map, "token_number").value_or(0));
  if (const auto source = string_field(map, "source")) r.source = parse_source(*source);
  if (const auto ahead = unsigned_field(map, "ahead")) r.ahead = static_cast<std::uint32_t>(*ahead);
  if (const auto capacity = unsigned_field(map, "capacity")) r.capacity = static_cast<std::uint32_t>(*capacity);
  if (const auto date = string_field(map, "date")) r.date = ServiceDate::parse(*date);
  if (const auto it = map.find("duplicate"); it != map.end() && it->is_boolean()) r.duplicate = it->get<bool>();
  if (const auto it = map.find("report"); it != map.end() && it->is_object()) {
    r.report = report_from_json(*it, error);
    if (!r.report) return std::nullopt;
  }
  return r;
}

std::optional<BoardEvent> event_from_json(const json& map, std::string* error) {
  BoardEvent e;
  const auto kind_text = string_field(map, "event");
  const auto kind = kind_text ? parse_event_kind(*kind_text) : std::nullopt;
  if (!kind) {
    fail(error, "event key 'event' missing or unknown");
    return std::nullopt;
  }
  e.kind = *kind;
  std::optional<DoctorId> doctor;
  if (!read_id(map, "doctor_id", doctor, error)) return std::nullopt;
  const auto version = unsigned_field(map, "version");
  if (!doctor || !version) {
    fail(error, "event without 'doctor_id' or 'version'");
    return std::nullopt;
  }
  e.doctor_id = *doctor;
  e.version = *version;
  bool waitlist = false;
  if (!read_id(map, "token_id", e.token_id, error) || !read_id(map, "slot_id", e.slot_id, error) ||
      !read_slot_or_waitlist(map, "from_slot", e.from_slot, waitlist, error) ||
      !read_slot_or_waitlist(map, "to_slot", e.to_slot, waitlist, error))
    return std::nullopt;
  e.token_number = static_cast<std::uint32_t>(unsigned_field(map, "token_number").value_or(0));
  if (const auto source = string_field(map, "source")) e.source = parse_source(*source);
  if (const auto capacity = unsigned_field(map, "capacity")) e.capacity = static_cast<std::uint32_t>(*capacity);
  if (const auto date = string_field(map, "date")) e.date = ServiceDate::parse(*date);
  return e;
}

std::optional<DayReport> report_from_json(const json& map, std::string* error) {
  DayReport report;
  if (const auto date = string_field(map, "date")) report.date = ServiceDate::parse(*date);
  const auto doctors = map.find("doctors");
  if (doctors == map.end() || !doctors->is_array()) {
    fail(error, "report key 'doctors' missing");
    return std::nullopt;
  }
  for (const auto& d : *doctors) {
    std::optional<DoctorId> id;
    if (!read_id(d, "doctor_id", id, error)) return std::nullopt;
    if (!id) {
      fail(error, "report doctor without 'doctor_id'");
      return std::nullopt;
    }
    DoctorReport doctor{.doctor_id = *id};
    doctor.waitlisted_at_close = static_cast<std::uint32_t>(unsigned_field(d, "waitlisted_at_close").value_or(0));
    const auto total = d.find("total");
    const auto unplaced = d.find("unplaced");
    const auto slots = d.find("slots");
    if (total == d.end() || unplaced == d.end() || slots == d.end() || !slots->is_array()) {
      fail(error, "report doctor '" + id->str() + "' lacks total, unplaced or slots");
      return std::nullopt;
    }
    auto t = tally_from_json(*total, error);
    auto u = tally_from_json(*unplaced, error);
    if (!t || !u) return std::nullopt;
    doctor.total = *t;
    doctor.unplaced = *u;
    for (const auto& s : *slots) {
      std::optional<SlotId> slot_id;
      if (!read_id(s, "slot_id", slot_id, error)) return std::nullopt;
      const auto tally = s.find("tally");
      if (!slot_id || tally == s.end()) {
        fail(error, "report slot without 'slot_id' or 'tally'");
        return std::nullopt;
      }
      auto st = tally_from_json(*tally, error);
      if (!st) return std::nullopt;
      doctor.slots.push_back(SlotReport{*slot_id, static_cast<std::uint32_t>(unsigned_field(s, "capacity").value_or(0)), *st});
    }
    report.doctors.push_back(std::move(doctor));
  }
  if (const auto it = map.find("unattributed"); it != map.end()) {
    auto t = tally_from_json(*it, error);
    if (!t) return std::nullopt;
    report.unattributed = *t;
  }
  return report;
}

std::string result_topic_for(const json& request) {
  const auto client_id = string_field(request, "client_id");
  if (client_id && is_valid_id(*client_id)) return "result/" + *client_id + "/";
  return "result//";
}

}  // namespace opd::tools
