// Wire protocol v1: the limits and names every client relies on. The full
// contract is docs/protocol.md; a change here is a protocol change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "opd/core/ids.h"

namespace opd::worker {

inline constexpr int kProtocolVersion = 1;

// A request or query body larger than this is answered REJECTED / BAD_REQUEST
// naming its size. Real requests are under 300 bytes; the bound keeps a
// hostile client from making the worker decode megabytes.
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;

// ZMQ_MAXMSGSIZE on the PULL and ROUTER sockets: libzmq closes the connection
// of a tcp/ipc peer that announces a larger frame before buffering it, so
// memory stays bounded. No result can be sent for such a frame (it was never
// received); frames between kMaxRequestBytes and this ceiling are received
// and answered REJECTED / BAD_REQUEST, so an honest client always learns
// what went wrong. Twice the request limit, no more: ZeroMQ queues up to the
// high-water mark of messages per connection (--rcvhwm), so the ceiling is
// what a connection that floods while the worker is held up (a disk stall)
// can make it buffer per message: 138-181 KiB each in memory, up to ~1.8 GiB
// per connection by default (worker/bench/queue_memory.cc measures it).
inline constexpr std::int64_t kTransportMaxMessageBytes = 2 * kMaxRequestBytes;

// Deepest nesting accepted in a body. Requests and queries are flat maps
// (depth 1); a little slack gives a clear "wrong type" error for a nested
// value, while a deeply nested bomb is refused before it is built.
inline constexpr std::size_t kMaxNestingDepth = 4;

// "WAITLIST" stands for the waitlist in moved_to, from_slot and to_slot:
// the core's own name for it, which an answer in place (ResultRef) carries.
inline constexpr std::string_view kWaitlistWire = kWaitlistName;

}  // namespace opd::worker
