// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. With
// Type=notify, systemd counts the worker as started only once it has
// recovered its data dir and bound its sockets (READY=1), so dependent
// units and `systemctl start` wait for a worker that really serves.
#pragma once

#include <string_view>

namespace opd::worker {

// Sends `state` (e.g. "READY=1", "STOPPING=1", "RELOADING=1",
// "STATUS=...", newline-separated assignments) to the socket named by
// NOTIFY_SOCKET (a path, or '@' + an abstract name). Returns false when the
// variable is unset (not run by systemd) or the send failed; the worker runs
// the same either way.
bool notify_systemd(std::string_view state) noexcept;

}  // namespace opd::worker
