// Wire bytes -> core requests and queries. Decoding checks the wire shape
// (MessagePack, a flat map, known string keys, value types, the id rule,
// ranges); which fields an operation needs is the core's business, so
// "missing doctor_id on allocate" is the engine's REJECTED result, not ours.
//
// Never throws for bad input: every problem is a reason naming the field.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "opd/core/ids.h"
#include "opd/core/request.h"

namespace opd::worker {

struct DecodedRequest {
  std::optional<Request> request;  // set when the body is a valid request
  // What could be read even from a malformed body, so its REJECTED result
  // can still be addressed (topic) and matched (request_id) by the client.
  std::optional<RequestId> request_id;
  std::optional<OpType> type;
  std::string client_id;  // empty when absent or invalid
  std::string error;      // why the body was refused; empty iff request is set

  // Marks the request malformed (keeping what was read for the result).
  void refuse(std::string reason);
};

enum class QueryType : std::uint8_t { kSnapshot, kToken, kHealth, kStats, kReport };

struct DecodedQuery {
  std::optional<QueryType> type;  // nullopt when the query is malformed
  std::optional<DoctorId> doctor_id;
  std::optional<TokenId> token_id;
  std::string error;  // empty iff type is set (and its required field present)
};

// Reads a frame in place and builds nothing but the result: no allocation
// for ids of up to 15 characters (std::string's inline storage), and a
// DecodedRequest reused across calls keeps its Request's storage. Holds no
// state: any number may exist.
class Decoder {
 public:
  // Decodes one request frame into `out` (overwritten).
  void request(const void* data, std::size_t size, DecodedRequest& out);
  // Decodes one query body into `out` (overwritten).
  void query(const void* data, std::size_t size, DecodedQuery& out);

 private:
  // request()'s work; false when the frame is refused (out.error says why).
  [[nodiscard]] static bool request_into(const void* data, std::size_t size, DecodedRequest& out);
};

}  // namespace opd::worker
