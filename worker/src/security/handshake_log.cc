#include "opd/worker/security/handshake_log.h"

#include <atomic>
#include <cstdint>
#include <cstring>

namespace opd::worker::security {
namespace {

// Only failures ZAP never sees: a refused key (ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
// is the ZAP handler's to log.
constexpr int kWatchedEvents = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;

std::string_view what_failed(std::uint16_t event, std::uint32_t value) {
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
    return "mechanism mismatch (a client without CURVE keys?)";
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)
    return "cryptographic error (a client holding another server key?)";
  if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) return "protocol error";
  return "no detail";
}

}  // namespace

void HandshakeLog::watch(zmq::context_t& context, zmq::socket_t& socket, std::string_view name) {
  // Inproc names are per context and stay bound until libzmq's reaper has
  // closed the old monitor: a process-wide count never reuses one.
  static std::atomic<std::uint64_t> monitors{0};
  const std::string endpoint = "inproc://opd-handshakes-" + std::to_string(monitors.fetch_add(1));
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kWatchedEvents) != 0) throw zmq::error_t();
  zmq::socket_t monitor(context, zmq::socket_type::pair);
  monitor.set(zmq::sockopt::linger, 0);
  // libzmq sends each event with a blocking send on its I/O thread, holding
  // the socket's monitor lock. With the default limit, ~2,000 failures
  // between two turns of the loop filled the pipe: every socket's I/O
  // stalled, and stopping (zmq_socket_monitor(..., nullptr)) waited on that
  // lock for ever. No limit (0, on the connecting side of inproc): events
  // queue in memory for the one turn until drain() reads them.
  monitor.set(zmq::sockopt::rcvhwm, 0);
  monitor.connect(endpoint);
  watched_.push_back(Watched{std::string(name), &socket, std::move(monitor)});
}

void HandshakeLog::drain(std::size_t i) {
  Watched& w = watched_[i];
  zmq::message_t event;
  zmq::message_t address;
  // An event is two frames: u16 event and u32 value, then the endpoint.
  while (w.monitor.recv(event, zmq::recv_flags::dontwait)) {
    if (!event.more() || !w.monitor.recv(address, zmq::recv_flags::dontwait)) continue;
    if (event.size() < 6) continue;
    std::uint16_t id = 0;
    std::uint32_t value = 0;
    std::memcpy(&id, event.data(), sizeof id);
    std::memcpy(&value, static_cast<const char*>(event.data()) + sizeof id, sizeof value);
    std::uint64_t held_back = 0;
    if (!throttle_.due(std::chrono::steady_clock::now(), held_back)) continue;
    const std::string_view endpoint(static_cast<const char*>(address.data()), address.size());
    if (held_back > 0)
      log_.warn("a client failed the handshake on the {} socket {}: {} (and {} more in the last second)", w.name,
                endpoint, what_failed(id, value), held_back);
    else
      log_.warn("a client failed the handshake on the {} socket {}: {}", w.name, endpoint, what_failed(id, value));
  }
}

void HandshakeLog::close() noexcept {
  for (auto& w : watched_) {
    (void)zmq_socket_monitor(w.socket->handle(), nullptr, 0);
    w.monitor.close();
  }
  watched_.clear();
}

}  // namespace opd::worker::security
