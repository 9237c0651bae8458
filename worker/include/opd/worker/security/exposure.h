// Whether an endpoint can be reached from another machine. The worker
// warns when it serves requests or queries in plaintext on one that can:
// on a shared hospital network anyone could then book, cancel or close.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opd::worker::security {

// True for inproc://, ipc:// and tcp:// on a loopback address (127.0.0.0/8,
// ::1, localhost, the "lo" interface). False for anything else, including
// tcp://* and tcp://0.0.0.0 (every interface). Give the endpoint as bound
// (ZMQ_LAST_ENDPOINT) to judge what is really listening.
[[nodiscard]] bool is_local_endpoint(std::string_view endpoint) noexcept;

// The warnings the worker logs at start for its guarded sockets, given as
// (what, bound endpoint) pairs: without CURVE, one per endpoint reachable
// from other machines; with CURVE, one per inproc endpoint (inproc peers
// skip the handshake, so all their requests are FORBIDDEN).
[[nodiscard]] std::vector<std::string> exposure_warnings(
    bool curve, const std::vector<std::pair<std::string_view, std::string_view>>& endpoints);

}  // namespace opd::worker::security
