// CURVE for the worker's requests and queries sockets: the server's key,
// the ZAP handler and the authorised keys, and the role of each message's
// sender. Owned by the service loop and used only on its thread.
//
// Lifetime: construct (binds the ZAP handler) before binding any socket
// given to secure(), and close() only after those sockets are closed: while
// no handler is bound, libzmq admits any CURVE client (see zap_handler.h).
//
// Revocation: a connection admitted by the ZAP handler keeps its key for
// its lifetime, but role_of() looks the key up in the current list for
// every message, so a key removed by reload() gets FORBIDDEN from the next
// request on, without waiting for the client to reconnect.
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include <spdlog/logger.h>
#include <zmq.hpp>

#include "opd/worker/security/authorized_keys.h"
#include "opd/worker/security/curve_config.h"
#include "opd/worker/security/curve_key.h"
#include "opd/worker/security/roles.h"
#include "opd/worker/security/zap_handler.h"

namespace opd::worker::security {

class Gatekeeper {
 public:
  // Reads both files and binds the ZAP handler on `context`. Throws
  // std::runtime_error naming the file (and line) that is unusable.
  Gatekeeper(zmq::context_t& context, CurveConfig config, spdlog::logger& log);

  // Makes `socket` a CURVE server under this gate. Call before bind():
  // libzmq copies the options into the listener when it binds.
  void secure(zmq::socket_t& socket) const;

  // The ZAP handler's socket, for the loop's poll; answer_zap() when it is
  // readable.
  [[nodiscard]] zmq::socket_t& zap_socket() noexcept { return zap_.socket(); }
  void answer_zap() { zap_.answer_pending(keys_); }

  // Re-reads the authorised-keys file (SIGHUP). On success the new list
  // decides every later handshake and request; on error the current list
  // stays, the error is logged, and false is returned.
  bool reload();

  // The role of the peer that sent `frame`, a message received on a socket
  // given to secure(). kNone when the frame carries no listed key (inproc
  // peers skip the handshake; a key may have been removed by reload()).
  [[nodiscard]] Role role_of(const zmq::message_t& frame);

  [[nodiscard]] const CurveKey& public_key() const noexcept { return public_key_; }
  [[nodiscard]] const AuthorizedKeys& keys() const noexcept { return keys_; }
  [[nodiscard]] const ZapHandler::Counters& zap_counters() const noexcept { return zap_.counters(); }

  void close() { zap_.close(); }

 private:
  CurveConfig config_;
  spdlog::logger& log_;
  CurveKey secret_key_;
  CurveKey public_key_;
  AuthorizedKeys keys_;
  ZapHandler zap_;
  // Consecutive requests mostly come from the same connection: remember the
  // last User-Id looked up (valid until the next reload).
  std::array<char, kCurveKeyZ85Chars> last_user_id_{};
  std::optional<Role> last_role_;
};

}  // namespace opd::worker::security
