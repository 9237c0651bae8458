#include "queries.h"

#include "wire_map.h"

namespace opd::worker {

Code answer_query(const DecodedQuery& query, const QueryContext& context, ByteBuffer& out) {
  if (!query.type) {
    encode_query_error(out, Code::kBadRequest, query.error);
    return Code::kBadRequest;
  }
  switch (*query.type) {
    case QueryType::kSnapshot: {
      const auto board = context.engine.board(*query.doctor_id);
      if (!board) {
        encode_query_error(out, Code::kUnknownDoctor, "unknown doctor " + wire::quote(query.doctor_id->view()));
        return Code::kUnknownDoctor;
      }
      encode_snapshot(out, context.status.seq, *board);
      return Code::kNone;
    }
    case QueryType::kToken: {
      const auto status = context.engine.token(*query.token_id);
      if (!status) {
        encode_query_error(out, Code::kUnknownToken,
                           "unknown token " + wire::quote(query.token_id->view()) +
                               " (tokens of closed days are unknown)");
        return Code::kUnknownToken;
      }
      encode_token_status(out, *status);
      return Code::kNone;
    }
    case QueryType::kHealth:
      encode_health(out, context.status, context.engine);
      return Code::kNone;
    case QueryType::kStats:
      encode_stats(out, context.status, context.stats);
      return Code::kNone;
    case QueryType::kReport:
      encode_report(out, context.status.seq, context.engine.totals());
      return Code::kNone;
  }
  encode_query_error(out, Code::kBadRequest, "unknown query type");
  return Code::kBadRequest;
}

}  // namespace opd::worker
