// Logs the CURVE handshakes that fail before the ZAP handler is asked:
// a client without keys (plaintext: a mechanism mismatch) or one holding
// another server's public key (a cryptographic error). libzmq drops those
// connections itself, so without this the worker's log never shows them
// and the client only times out. (An unlisted key reaches the ZAP handler,
// which logs it with the key.)
//
// It listens to libzmq's socket monitor of each watched socket over an
// inproc PAIR, polled in the service loop beside the sockets it watches.
// libzmq 4.3's monitor (without its draft API) names the worker's own
// endpoint, not the client's address.
//
// Lifetime: watch() after the socket is created; close() before the
// watched sockets are closed. Thread-safety: the service loop's thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include "opd/worker/security/warning_throttle.h"

namespace opd::worker::security {

class HandshakeLog {
 public:
  explicit HandshakeLog(spdlog::logger& log) : log_(log) {}
  HandshakeLog(const HandshakeLog&) = delete;
  HandshakeLog& operator=(const HandshakeLog&) = delete;
  ~HandshakeLog() { close(); }

  // Starts reporting `socket`'s failed handshakes; `name` ("requests",
  // "queries") goes into the log line. Throws zmq::error_t.
  void watch(zmq::context_t& context, zmq::socket_t& socket, std::string_view name);

  [[nodiscard]] std::size_t size() const noexcept { return watched_.size(); }
  // The monitor socket of watched socket `i`, for the loop's poll.
  [[nodiscard]] zmq::socket_t& monitor(std::size_t i) noexcept { return watched_[i].monitor; }
  // Reads and logs what watched socket `i` reported; never blocks.
  void drain(std::size_t i);

  void close() noexcept;

 private:
  struct Watched {
    std::string name;
    zmq::socket_t* socket;
    zmq::socket_t monitor;
  };
  spdlog::logger& log_;
  std::vector<Watched> watched_;
  WarningThrottle throttle_;
};

}  // namespace opd::worker::security
