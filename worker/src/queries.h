// Private: what the worker answers to a query (the ROUTER transport is in
// service.cc). Queries read the engine and never change it.
#pragma once

#include "opd/core/engine.h"
#include "opd/worker/decode.h"
#include "opd/worker/encode.h"
#include "opd/worker/stats.h"

namespace opd::worker {

struct QueryContext {
  const Engine& engine;
  const Stats& stats;
  WorkerStatus status;
};

// Appends the answer to `query` to `out`: the answer map, or {code, reason}
// for a malformed query or an unknown doctor or token (never silence).
// Returns the answer's code: Code::kNone when it was answered in full.
Code answer_query(const DecodedQuery& query, const QueryContext& context, ByteBuffer& out);

}  // namespace opd::worker
