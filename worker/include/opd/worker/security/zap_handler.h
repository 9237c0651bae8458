// The ZAP handler (ZeroMQ RFC 27): libzmq asks it, over
// inproc://zeromq.zap.01 on the sockets' own context, whether each new CURVE
// connection may proceed. It runs inside the worker's one thread: its REP
// socket is polled in the service loop next to the requests and queries,
// so admitting a client never races with anything.
//
// Answers: 200 when the client's public key is listed (user id = the key in
// Z85, which every message of that connection then carries as its
// "User-Id" property), 400 for an unlisted key, another mechanism or
// another domain, 500 for a request that does not follow RFC 27.
//
// Without a handler bound, libzmq 4.3 admits every CURVE client (and this
// libzmq has no ZMQ_ZAP_ENFORCE_DOMAIN), so the handler must be bound
// before any secured socket binds and closed only after they are closed.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include "opd/worker/security/authorized_keys.h"
#include "opd/worker/security/warning_throttle.h"

namespace opd::worker::security {

inline constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
// Set on every secured socket; the handler refuses any other domain.
inline constexpr std::string_view kZapDomain = "opd";

class ZapHandler {
 public:
  struct Counters {
    std::uint64_t admitted = 0;
    std::uint64_t refused = 0;    // 400: unlisted key, wrong mechanism or domain
    std::uint64_t malformed = 0;  // 500
  };

  // Binds the handler on `context`. Throws std::runtime_error when another
  // handler is already bound there (one per context).
  ZapHandler(zmq::context_t& context, spdlog::logger& log);

  // Answers the requests waiting, at most `limit`; never blocks.
  void answer_pending(const AuthorizedKeys& keys, std::size_t limit = 64);

  [[nodiscard]] zmq::socket_t& socket() noexcept { return socket_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  void close() { socket_.close(); }

 private:
  void answer_one(const AuthorizedKeys& keys, std::size_t frames);
  void refused(std::string_view address, std::string_view why);

  // RFC 27 requests have 7 frames for CURVE; a longer one is drained and
  // answered 500.
  static constexpr std::size_t kMaxFrames = 8;

  spdlog::logger& log_;
  zmq::socket_t socket_;
  std::array<zmq::message_t, kMaxFrames> frames_;
  zmq::message_t extra_;
  Counters counters_;
  WarningThrottle throttle_;
};

}  // namespace opd::worker::security
