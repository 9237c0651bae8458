// Core values -> MessagePack maps of protocol v1 (docs/protocol.md names
// every key). Each function appends exactly one map to the buffer.
//
// Keys that do not apply are left out rather than sent as nil, except where
// the protocol promises a key with a nil value (a token's slot_id while
// waitlisted, a board's now_serving, a malformed request's request_id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "opd/core/engine.h"
#include "opd/core/outcome.h"
#include "opd/core/outcome_ref.h"
#include "opd/worker/decode.h"
#include "opd/worker/stats.h"

namespace opd::worker {

// Bytes being encoded. clear() keeps the storage, so a buffer reused by the
// loop stops allocating once it has grown to its working size. Past size()
// the storage is scratch that encoders write into directly: it grows
// rarely and is never zero-filled again (growing and trimming a string per
// message was over a quarter of the encoder's instructions).
class ByteBuffer {
 public:
  void write(const char* data, std::size_t size) {
    if (size == 0) return;
    std::memcpy(room(size), data, size);
    size_ += size;
  }
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }
  [[nodiscard]] std::string_view view() const noexcept { return {bytes_.data(), size_}; }

  // For encoders writing in place: at least `n` writable bytes starting at
  // data() + size(), valid until the next room(); the bytes count once
  // resize() takes them in.
  [[nodiscard]] char* room(std::size_t n) {
    if (bytes_.size() - size_ < n) [[unlikely]]
      grow(n);
    return bytes_.data() + size_;
  }
  [[nodiscard]] char* data() noexcept { return bytes_.data(); }
  // REQUIRES: `size` <= the end of the room last made.
  void resize(std::size_t size) noexcept { size_ = size; }

 private:
  void grow(std::size_t n);

  std::string bytes_;  // [0, size_): the bytes; beyond: scratch
  std::size_t size_ = 0;
};

// What the worker knows about itself, for heartbeats, health and stats.
struct WorkerStatus {
  std::uint64_t seq = 0;        // the last seq assigned (0 before any request)
  std::string_view start_id;    // differs on every start: displays notice a restart
  std::uint64_t uptime_s = 0;
};

// A result on result/<client_id>/: from the engine's answer in place
// (Engine::apply_in_place), or from a value, which is encoded through
// ref_of() into the same bytes.
void encode_result(ByteBuffer& out, std::uint64_t seq, const ResultRef& result);
void encode_result(ByteBuffer& out, std::uint64_t seq, const Result& result);
// The REJECTED / BAD_REQUEST result of a body the worker could not decode.
void encode_malformed(ByteBuffer& out, std::uint64_t seq, const DecodedRequest& decoded);
// A board event on doctor/<doctor_id>/, from a ref or a value as above.
void encode_event(ByteBuffer& out, std::uint64_t seq, const EventRef& event);
void encode_event(ByteBuffer& out, std::uint64_t seq, const BoardEvent& event);
void encode_heartbeat(ByteBuffer& out, const WorkerStatus& status);

// Query answers.
void encode_snapshot(ByteBuffer& out, std::uint64_t seq, const Board& board);
void encode_token_status(ByteBuffer& out, const TokenStatus& status);
void encode_health(ByteBuffer& out, const WorkerStatus& status, const Engine& engine);
void encode_stats(ByteBuffer& out, const WorkerStatus& status, const Stats& stats);
void encode_report(ByteBuffer& out, std::uint64_t seq, const DayReport& report);
void encode_query_error(ByteBuffer& out, Code code, std::string_view reason);

}  // namespace opd::worker
