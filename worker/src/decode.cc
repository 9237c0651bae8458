#include "opd/worker/decode.h"

#include <array>
#include <cstdio>
#include <string>

#include "wire_map.h"

namespace opd::worker {
namespace {

using wire::quote;
using wire::type_name;

// Request keys: the core issue's field names plus type, request_id and
// client_id. Unknown keys are refused: a misspelt "slotid" silently ignored
// would book the patient into whatever slot the engine picks.
enum RequestKey : std::size_t {
  kType, kRequestId, kClientId, kDoctorId, kSlotId, kSource, kCapacity,
  kPatientRef, kTokenId, kStart, kEnd, kDate, kRequestKeyCount
};
constexpr std::array<std::string_view, kRequestKeyCount> kRequestKeys{
    "type",        "request_id", "client_id", "doctor_id", "slot_id", "source", "capacity",
    "patient_ref", "token_id",   "start",     "end",       "date"};

enum QueryKey : std::size_t { kQueryType, kQueryDoctorId, kQueryTokenId, kQueryKeyCount };
constexpr std::array<std::string_view, kQueryKeyCount> kQueryKeys{"type", "doctor_id", "token_id"};

// Constant compares by length: keys are looked up for every field of every
// frame, and this is what keeps that a handful of instructions.
constexpr std::size_t request_key(std::string_view key) noexcept {
  switch (key.size()) {
    case 3: if (key == "end") return kEnd; break;
    case 4: if (key == "type") return kType; if (key == "date") return kDate; break;
    case 5: if (key == "start") return kStart; break;
    case 6: if (key == "source") return kSource; break;
    case 7: if (key == "slot_id") return kSlotId; break;
    case 8: if (key == "token_id") return kTokenId; if (key == "capacity") return kCapacity; break;
    case 9: if (key == "doctor_id") return kDoctorId; if (key == "client_id") return kClientId; break;
    case 10: if (key == "request_id") return kRequestId; break;
    case 11: if (key == "patient_ref") return kPatientRef; break;
    default: break;
  }
  return wire::kUnknownKey;
}

constexpr std::size_t query_key(std::string_view key) noexcept {
  if (key == "type") return kQueryType;
  if (key == "doctor_id") return kQueryDoctorId;
  if (key == "token_id") return kQueryTokenId;
  return wire::kUnknownKey;
}

template <std::size_t N>
constexpr bool matches(auto index_of, const std::array<std::string_view, N>& keys) {
  if (N > wire::Fields::kMaxKeys) return false;
  for (std::size_t k = 0; k < N; ++k)
    if (index_of(keys[k]) != k) return false;
  return true;
}
static_assert(matches(request_key, kRequestKeys) && matches(query_key, kQueryKeys),
              "the key lookups must agree with the key tables");

// As function objects, which parse_map's loop inlines (a function pointer
// it would call).
constexpr auto kRequestKeyIndex = [](std::string_view key) noexcept { return request_key(key); };
constexpr auto kQueryKeyIndex = [](std::string_view key) noexcept { return query_key(key); };

constexpr std::string_view kIdRule = "breaks the id rule (1-64 characters of A-Z a-z 0-9 . _ : -)";

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string field_name(std::string_view key) { return "field '" + std::string(key) + "'"; }

// Refusals are rare: their reasons are built out of line, so the readers
// below stay small enough to inline into the decoder.
[[gnu::cold, gnu::noinline]] bool refuse_type(std::string_view key, wire::Kind kind, std::string& error) {
  error = field_name(key) + " must be a string, got " + std::string(type_name(kind));
  return false;
}
// "field 'k': 'text'" + joint + why.
[[gnu::cold, gnu::noinline]] bool refuse_text(std::string_view key, std::string_view text, std::string_view joint,
                                              std::string_view why, std::string& error) {
  error = field_name(key) + ": " + quote(text) + std::string(joint) + std::string(why);
  return false;
}

// Reads a string field. Returns false (and sets error) when present but not a string.
inline bool read_string(const wire::Value* value, std::string_view key, std::string_view& out,
                        std::string& error) {
  if (value == nullptr) return true;
  if (value->kind != wire::Kind::kString) [[unlikely]]
    return refuse_type(key, value->kind, error);
  out = value->text();
  return true;
}

template <class IdType>
inline bool read_id(const wire::Value* value, std::string_view key, std::optional<IdType>& out,
                    std::string& error) {
  std::string_view text;
  if (value == nullptr) {
    out.reset();
    return true;
  }
  if (!read_string(value, key, text, error)) return false;
  out = IdType::parse(text);
  if (!out) [[unlikely]]
    return refuse_text(key, text, " ", kIdRule, error);
  return true;
}

[[gnu::cold, gnu::noinline]] bool refuse_capacity(const wire::Value& value, std::string& error) {
  switch (value.kind) {
    case wire::Kind::kPositive:
      error = "field 'capacity' exceeds the maximum " + std::to_string(kMaxSlotCapacity) + ", got " +
              std::to_string(value.u64());
      return false;
    case wire::Kind::kNegative:
      error = "field 'capacity' must not be negative, got " + std::to_string(value.i64());
      return false;
    case wire::Kind::kFloat:
      error = "field 'capacity' must be a whole number, got " + format_number(value.f64());
      return false;
    default:
      error = "field 'capacity' must be an integer, got " + std::string(type_name(value.kind));
      return false;
  }
}

inline bool read_capacity(const wire::Value* value, std::optional<std::uint32_t>& out, std::string& error) {
  if (value == nullptr) {
    out.reset();
    return true;
  }
  if (value->kind != wire::Kind::kPositive || value->u64() > kMaxSlotCapacity) [[unlikely]]
    return refuse_capacity(*value, error);
  out = static_cast<std::uint32_t>(value->u64());
  return true;
}

template <class T, class Parse>
inline bool read_parsed(const wire::Value* value, std::string_view key, std::string_view expected,
                        Parse parse, std::optional<T>& out, std::string& error) {
  std::string_view text;
  if (value == nullptr) {
    out.reset();
    return true;
  }
  if (!read_string(value, key, text, error)) return false;
  out = parse(text);
  if (!out) [[unlikely]]
    return refuse_text(key, text, " is not ", expected, error);
  return true;
}

// The canonical names, as kiosks send them, matched by constant compares;
// anything else goes to parse_source, which knows the aliases and folds
// case with a libc call per character (5% of the decoder's cycles).
std::optional<Source> source_named(std::string_view text) noexcept {
  switch (text.size()) {
    case 4: if (text == "PAID") return Source::kPaid; break;
    case 6: if (text == "ONLINE") return Source::kOnline; break;
    case 7: if (text == "WALK_IN") return Source::kWalkIn; break;
    case 9:
      if (text == "EMERGENCY") return Source::kEmergency;
      if (text == "FOLLOW_UP") return Source::kFollowUp;
      break;
    default: break;
  }
  return parse_source(text);
}

}  // namespace

void DecodedRequest::refuse(std::string reason) {
  request.reset();
  error = std::move(reason);
}

void Decoder::request(const void* data, std::size_t size, DecodedRequest& out) {
  if (!request_into(data, size, out)) out.request.reset();
}

namespace {

// Addressing first: a result the client can route and match is the point
// of answering a malformed request at all. Reads client_id, request_id and
// type into `out`; returns the first problem with them, or "".
std::string read_addressing(const wire::Fields& f, DecodedRequest& out) {
  std::string error;
  std::string client_error;
  if (const auto* value = f.get(kClientId)) {
    std::string_view text;
    if (read_string(value, "client_id", text, client_error)) {
      if (is_valid_id(text))
        out.client_id.assign(text);
      else
        client_error = "field 'client_id': " + quote(text) + " " + std::string(kIdRule);
    }
  }
  if (read_id(f.get(kRequestId), "request_id", out.request_id, error) && !out.request_id)
    error = "missing field 'request_id'";
  if (error.empty()) error = std::move(client_error);
  {
    std::string_view text;
    std::string type_error;
    if (f.get(kType) == nullptr) {
      out.type = OpType::kAllocate;
    } else if (read_string(f.get(kType), "type", text, type_error)) {
      out.type = parse_op_type(text);
      if (!out.type)
        type_error = "field 'type': unknown type " + quote(text) +
                     " (expected allocate, cancel, call_next, complete, no_show, set_capacity or "
                     "open_day)";
    }
    if (error.empty()) error = type_error;
  }
  return error;
}

}  // namespace

bool Decoder::request_into(const void* data, std::size_t size, DecodedRequest& out) {
  out.request_id.reset();
  out.type.reset();
  out.client_id.clear();
  out.error.clear();
  wire::Fields f;
  if (!wire::parse_map(static_cast<const char*>(data), size, kRequestKeyIndex, f, out.error)) {
    // Refused for its shape, but its addressing may be readable: then the
    // rejection reaches the client that sent it, under its request_id.
    if (f.readable_after_refusal) (void)read_addressing(f, out);
    return false;
  }
  std::string error = read_addressing(f, out);
  if (error.empty() && f.has_problem) error = f.problem();
  if (!error.empty()) {
    out.error = std::move(error);
    return false;
  }

  // A Request left by the previous frame is overwritten field by field. A
  // new one is moved in from a default-initialised local: emplace() would
  // value-initialise it, zeroing all 270 bytes with `rep stos` first, which
  // cost a fifth of the decoder's cycles.
  if (out.request) {
    out.request->type = *out.type;
    out.request->request_id = *out.request_id;
  } else {
    Request fresh;
    fresh.type = *out.type;
    fresh.request_id = *out.request_id;
    out.request.emplace(std::move(fresh));
  }
  Request& r = *out.request;
  std::string_view patient_ref;
  const bool ok =
      read_id(f.get(kDoctorId), "doctor_id", r.doctor_id, error) &&
      read_id(f.get(kSlotId), "slot_id", r.slot_id, error) &&
      read_parsed(f.get(kSource), "source",
                  "a source (EMERGENCY, PAID, FOLLOW_UP, ONLINE or WALK_IN)",
                  source_named, r.source, error) &&
      read_capacity(f.get(kCapacity), r.capacity, error) &&
      read_string(f.get(kPatientRef), "patient_ref", patient_ref, error) &&
      read_id(f.get(kTokenId), "token_id", r.token_id, error) &&
      read_parsed(f.get(kStart), "start", "a time \"HH:MM\" (00:00 to 23:59)",
                  [](std::string_view t) { return ClockTime::parse(t); }, r.start, error) &&
      read_parsed(f.get(kEnd), "end", "a time \"HH:MM\" (00:00 to 23:59)",
                  [](std::string_view t) { return ClockTime::parse(t); }, r.end, error) &&
      read_parsed(f.get(kDate), "date", "a date \"YYYY-MM-DD\" (years 2000 to 2999)",
                  [](std::string_view t) { return ServiceDate::parse(t); }, r.date, error);
  if (!ok) {
    out.error = std::move(error);
    return false;
  }
  if (f.get(kPatientRef) == nullptr) {
    r.patient_ref.reset();
  } else {
    if (patient_ref.size() > kMaxPatientRefLength) {
      out.error = "field 'patient_ref' longer than " + std::to_string(kMaxPatientRefLength) +
                  " bytes (" + std::to_string(patient_ref.size()) + ")";
      return false;
    }
    r.patient_ref = patient_ref;
  }
  return true;
}

void Decoder::query(const void* data, std::size_t size, DecodedQuery& out) {
  out.type.reset();
  out.doctor_id.reset();
  out.token_id.reset();
  out.error.clear();
  wire::Fields f;
  if (!wire::parse_map(static_cast<const char*>(data), size, kQueryKeyIndex, f, out.error)) return;
  if (f.has_problem) {
    out.error = f.problem();
    return;
  }
  std::string_view type;
  std::string error;
  if (f.get(kQueryType) == nullptr) {
    out.error = "missing field 'type'";
    return;
  }
  if (!read_string(f.get(kQueryType), "type", type, error) ||
      !read_id(f.get(kQueryDoctorId), "doctor_id", out.doctor_id, error) ||
      !read_id(f.get(kQueryTokenId), "token_id", out.token_id, error)) {
    out.error = std::move(error);
    return;
  }
  std::optional<QueryType> parsed;
  if (type == "snapshot") parsed = QueryType::kSnapshot;
  else if (type == "token") parsed = QueryType::kToken;
  else if (type == "health") parsed = QueryType::kHealth;
  else if (type == "stats") parsed = QueryType::kStats;
  else if (type == "report") parsed = QueryType::kReport;
  if (!parsed) {
    out.error = "field 'type': unknown query " + quote(type) +
                " (expected snapshot, token, health, stats or report)";
    return;
  }
  if (*parsed == QueryType::kSnapshot && !out.doctor_id) {
    out.error = "missing field 'doctor_id'";
    return;
  }
  if (*parsed == QueryType::kToken && !out.token_id) {
    out.error = "missing field 'token_id'";
    return;
  }
  out.type = parsed;
}

}  // namespace opd::worker
