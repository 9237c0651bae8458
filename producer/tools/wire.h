// Protocol v1 as the tools see it: MessagePack maps <-> JSON (for printing
// and for requests typed as JSON), and the wire maps of results, board
// events and day reports read back into the core's value types, so the
// producer/ summary code (DaySummaryBuilder, narrate) runs unchanged on
// what came over the wire.
//
// Key names are the contract of docs/protocol.md / issue 3; this file is
// the client side of worker/src/encode.cc and worker/src/decode.cc.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "opd/core/domain.h"
#include "opd/core/engine.h"
#include "opd/core/outcome.h"
#include "opd/core/request.h"

namespace opd::tools {

// Key order is kept, so printed maps read in the worker's order.
using json = nlohmann::ordered_json;

// "WAITLIST" in moved_to, from_slot and to_slot.
inline constexpr std::string_view kWaitlistWire = "WAITLIST";

[[nodiscard]] std::string to_msgpack(const json& value);
// nullopt when the bytes are not exactly one MessagePack value.
[[nodiscard]] std::optional<json> from_msgpack(const void* data, std::size_t size);

// A request as the wire map the worker decodes: type, request_id,
// client_id (omitted when empty), then the fields the request carries.
[[nodiscard]] json request_to_json(const Request& request, std::string_view client_id);

// Reverse of the core's to_string for each enum; nullopt for unknown text.
[[nodiscard]] std::optional<Status> parse_status(std::string_view text);
[[nodiscard]] std::optional<Code> parse_code(std::string_view text);
[[nodiscard]] std::optional<EventKind> parse_event_kind(std::string_view text);
[[nodiscard]] std::optional<TokenState> parse_token_state(std::string_view text);

// The wire maps read back. Each returns nullopt and sets *error (naming the
// key) when a key the protocol promises is missing or of the wrong type.
[[nodiscard]] std::optional<Result> result_from_json(const json& map, std::string* error);
[[nodiscard]] std::optional<BoardEvent> event_from_json(const json& map, std::string* error);
[[nodiscard]] std::optional<DayReport> report_from_json(const json& map, std::string* error);

// A string field, or nullopt when absent, nil or not a string.
[[nodiscard]] std::optional<std::string> string_field(const json& map, std::string_view key);
// An unsigned field, or nullopt when absent, nil or not an unsigned integer.
[[nodiscard]] std::optional<std::uint64_t> unsigned_field(const json& map, std::string_view key);

// The topic a request's result is published on: "result/<client_id>/", or
// "result//" when the request carries no readable, valid client_id.
[[nodiscard]] std::string result_topic_for(const json& request);

}  // namespace opd::tools
