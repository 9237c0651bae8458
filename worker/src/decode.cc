#include "opd/worker/decode.h"

#include <array>
#include <cstdio>
#include <limits>

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

constexpr std::string_view kIdRule = "breaks the id rule (1-64 characters of A-Z a-z 0-9 . _ : -)";

// The fields of a map indexed by key. Nil counts as absent, so clients whose
// MessagePack library writes null for unset optionals just work.
template <std::size_t N>
struct Indexed {
  std::array<const msgpack::object*, N> value{};
  std::string problem;  // first unknown or duplicate key

  void index(const std::vector<wire::Field>& fields, const std::array<std::string_view, N>& keys) {
    for (const auto& field : fields) {
      std::size_t k = 0;
      while (k < N && keys[k] != field.key) ++k;
      if (k == N) {
        if (problem.empty()) problem = "unknown field " + quote(field.key);
        continue;
      }
      if (value[k] != nullptr) {
        if (problem.empty()) problem = "duplicate field " + quote(field.key);
        continue;
      }
      value[k] = field.value;
    }
    for (auto& v : value)
      if (v != nullptr && v->type == msgpack::type::NIL) v = nullptr;
  }
};

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

std::string field_name(std::string_view key) { return "field '" + std::string(key) + "'"; }

// Reads a string field. Returns false (and sets error) when present but not a string.
bool read_string(const msgpack::object* value, std::string_view key, std::string_view& out,
                 std::string& error) {
  if (value == nullptr) return true;
  if (value->type != msgpack::type::STR) {
    error = field_name(key) + " must be a string, got " + std::string(type_name(*value));
    return false;
  }
  out = std::string_view(value->via.str.ptr, value->via.str.size);
  return true;
}

template <class IdType>
bool read_id(const msgpack::object* value, std::string_view key, std::optional<IdType>& out,
             std::string& error) {
  std::string_view text;
  if (value == nullptr) return true;
  if (!read_string(value, key, text, error)) return false;
  out = IdType::parse(text);
  if (!out) {
    error = field_name(key) + ": " + quote(text) + " " + std::string(kIdRule);
    return false;
  }
  return true;
}

bool read_capacity(const msgpack::object* value, std::optional<std::uint32_t>& out,
                   std::string& error) {
  if (value == nullptr) return true;
  switch (value->type) {
    case msgpack::type::POSITIVE_INTEGER:
      if (value->via.u64 > kMaxSlotCapacity) {
        error = "field 'capacity' exceeds the maximum " + std::to_string(kMaxSlotCapacity) + ", got " +
                std::to_string(value->via.u64);
        return false;
      }
      out = static_cast<std::uint32_t>(value->via.u64);
      return true;
    case msgpack::type::NEGATIVE_INTEGER:
      error = "field 'capacity' must not be negative, got " + std::to_string(value->via.i64);
      return false;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      error = "field 'capacity' must be a whole number, got " + format_number(value->via.f64);
      return false;
    default:
      error = "field 'capacity' must be an integer, got " + std::string(type_name(*value));
      return false;
  }
}

template <class T, class Parse>
bool read_parsed(const msgpack::object* value, std::string_view key, std::string_view expected,
                 Parse parse, std::optional<T>& out, std::string& error) {
  std::string_view text;
  if (value == nullptr) return true;
  if (!read_string(value, key, text, error)) return false;
  out = parse(text);
  if (!out) {
    error = field_name(key) + ": " + quote(text) + " is not " + std::string(expected);
    return false;
  }
  return true;
}

}  // namespace

void DecodedRequest::refuse(std::string reason) {
  request.reset();
  error = std::move(reason);
}

Decoder::Decoder() : parser_(std::make_unique<wire::MapParser>()) {}
Decoder::~Decoder() = default;

void Decoder::request(const void* data, std::size_t size, DecodedRequest& out) {
  out.request.reset();
  out.request_id.reset();
  out.type.reset();
  out.client_id.clear();
  out.error.clear();
  if (!parser_->parse(static_cast<const char*>(data), size, out.error)) return;

  Indexed<kRequestKeyCount> f;
  f.index(parser_->fields(), kRequestKeys);
  std::string error;

  // Addressing first: a result the client can route and match is the point
  // of answering a malformed request at all.
  std::string client_error;
  if (const auto* value = f.value[kClientId]) {
    std::string_view text;
    if (read_string(value, "client_id", text, client_error)) {
      if (is_valid_id(text))
        out.client_id.assign(text);
      else
        client_error = "field 'client_id': " + quote(text) + " " + std::string(kIdRule);
    }
  }
  if (read_id(f.value[kRequestId], "request_id", out.request_id, error) && !out.request_id)
    error = "missing field 'request_id'";
  if (error.empty()) error = std::move(client_error);
  {
    std::string_view text;
    std::string type_error;
    if (f.value[kType] == nullptr) {
      out.type = OpType::kAllocate;
    } else if (read_string(f.value[kType], "type", text, type_error)) {
      out.type = parse_op_type(text);
      if (!out.type)
        type_error = "field 'type': unknown type " + quote(text) +
                     " (expected allocate, cancel, call_next, complete, no_show, set_capacity or "
                     "open_day)";
    }
    if (error.empty()) error = type_error;
  }
  if (error.empty()) error = f.problem;
  if (!error.empty()) {
    out.error = std::move(error);
    return;
  }

  Request r;
  r.type = *out.type;
  r.request_id = *out.request_id;
  std::string_view patient_ref;
  const bool ok =
      read_id(f.value[kDoctorId], "doctor_id", r.doctor_id, error) &&
      read_id(f.value[kSlotId], "slot_id", r.slot_id, error) &&
      read_parsed(f.value[kSource], "source",
                  "a source (EMERGENCY, PAID, FOLLOW_UP, ONLINE or WALK_IN)",
                  [](std::string_view t) { return parse_source(t); }, r.source, error) &&
      read_capacity(f.value[kCapacity], r.capacity, error) &&
      read_string(f.value[kPatientRef], "patient_ref", patient_ref, error) &&
      read_id(f.value[kTokenId], "token_id", r.token_id, error) &&
      read_parsed(f.value[kStart], "start", "a time \"HH:MM\" (00:00 to 23:59)",
                  [](std::string_view t) { return ClockTime::parse(t); }, r.start, error) &&
      read_parsed(f.value[kEnd], "end", "a time \"HH:MM\" (00:00 to 23:59)",
                  [](std::string_view t) { return ClockTime::parse(t); }, r.end, error) &&
      read_parsed(f.value[kDate], "date", "a date \"YYYY-MM-DD\" (years 2000 to 2999)",
                  [](std::string_view t) { return ServiceDate::parse(t); }, r.date, error);
  if (!ok) {
    out.error = std::move(error);
    return;
  }
  if (f.value[kPatientRef] != nullptr) {
    if (patient_ref.size() > kMaxPatientRefLength) {
      out.error = "field 'patient_ref' longer than " + std::to_string(kMaxPatientRefLength) +
                  " bytes (" + std::to_string(patient_ref.size()) + ")";
      return;
    }
    r.patient_ref.emplace(patient_ref);
  }
  out.request = std::move(r);
}

void Decoder::query(const void* data, std::size_t size, DecodedQuery& out) {
  out.type.reset();
  out.doctor_id.reset();
  out.token_id.reset();
  out.error.clear();
  if (!parser_->parse(static_cast<const char*>(data), size, out.error)) return;

  Indexed<kQueryKeyCount> f;
  f.index(parser_->fields(), kQueryKeys);
  if (!f.problem.empty()) {
    out.error = std::move(f.problem);
    return;
  }
  std::string_view type;
  std::string error;
  if (f.value[kQueryType] == nullptr) {
    out.error = "missing field 'type'";
    return;
  }
  if (!read_string(f.value[kQueryType], "type", type, error) ||
      !read_id(f.value[kQueryDoctorId], "doctor_id", out.doctor_id, error) ||
      !read_id(f.value[kQueryTokenId], "token_id", out.token_id, error)) {
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
