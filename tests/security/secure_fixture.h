// Test fixtures for a worker with CURVE on: key pairs per role and their
// files, CURVE client sockets, and a watch on a client's handshakes. Every
// wait is bounded; an answer that does not come is a nullopt, which the
// test then asserts on.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "harness.h"
#include "opd/worker/security/curve_config.h"
#include "opd/worker/security/curve_key.h"
#include "opd/worker/service.h"

namespace opd::worker::test {

using security::CurveKey;
using security::CurveKeyPair;

// How long a test waits for something that must NOT happen (a result from
// a refused client). Long enough for libzmq to reconnect a few times
// (100 ms apart) and for the worker to have answered had it received it.
inline constexpr std::chrono::milliseconds kRefusedWait = 1500ms;

// A server pair and one client pair per role, in files in a temporary
// directory: server.key (0600) and authorized_keys listing the four.
class KeyRing {
 public:
  KeyRing();

  CurveKeyPair server;
  CurveKeyPair kiosk;
  CurveKeyPair desk;
  CurveKeyPair admin;
  CurveKeyPair display;

  [[nodiscard]] const std::string& dir() const { return dir_.path(); }
  [[nodiscard]] std::string server_key_file() const { return dir() + "/server.key"; }
  [[nodiscard]] std::string authorized_keys_file() const { return dir() + "/authorized_keys"; }
  [[nodiscard]] security::CurveConfig curve() const {
    return {.secret_key_file = server_key_file(), .authorized_keys_file = authorized_keys_file()};
  }

  // Replaces the authorised-keys file (atomically, by rename) with `lines`.
  void write_authorized(const std::vector<std::string>& lines) const;
  // "Z85 ROLE comment", a line of that file.
  [[nodiscard]] static std::string line(const CurveKeyPair& pair, const std::string& role,
                                        const std::string& comment = "test");
  // The four role lines.
  [[nodiscard]] std::vector<std::string> role_lines() const;

 private:
  TempDir dir_;
};

// Test defaults on tcp 127.0.0.1 (inproc skips CURVE), port 0, with `keys`.
[[nodiscard]] ServiceConfig secured_config(const KeyRing& keys);

// Sets the CURVE client options on `socket`. Call before connect().
void make_curve_client(zmq::socket_t& socket, const CurveKey& server_public, const CurveKeyPair& client);

// What a client's handshake with the worker came to (its socket monitor).
struct Handshake {
  int event = 0;      // ZMQ_EVENT_HANDSHAKE_SUCCEEDED or a ZMQ_EVENT_HANDSHAKE_FAILED_*
  std::uint32_t value = 0;  // FAILED_AUTH: the ZAP status code (400); FAILED_PROTOCOL: the error
  [[nodiscard]] bool succeeded() const { return event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED; }
};

// Watches a socket's handshakes. Construct before the socket connects.
class HandshakeWatch {
 public:
  HandshakeWatch(zmq::context_t& context, zmq::socket_t& watched);
  ~HandshakeWatch();
  // The next handshake outcome, or nullopt after `timeout`.
  std::optional<Handshake> next(std::chrono::milliseconds timeout = kWait);

 private:
  zmq::socket_t& watched_;
  zmq::socket_t pair_;
};

// A PUSH client; keys optional (none: a plaintext client).
class Client {
 public:
  Client(zmq::context_t& context, const std::string& endpoint, zmq::socket_type type,
         const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys);
  zmq::socket_t& socket() { return socket_; }
  // Connects (after the caller had a chance to watch the socket).
  void connect();

 private:
  std::string endpoint_;
  zmq::socket_t socket_;
};

class SecurePusher {
 public:
  // keys: {server public key, client pair}; nullopt for plaintext.
  SecurePusher(zmq::context_t& context, const std::string& endpoint,
               const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys);
  void send(const Body& body);
  // For a client the worker refuses: after the refusal libzmq may have no
  // pipe left to queue on, so the send itself may fail. Returns whether it
  // was queued; either way, nothing may arrive.
  bool try_send(const Body& body);
  // The handshake outcome of this client's connection.
  std::optional<Handshake> handshake(std::chrono::milliseconds timeout = kWait) { return watch_.next(timeout); }

 private:
  Client client_;
  HandshakeWatch watch_;
};

// A DEALER for queries (empty delimiter, then the body).
class SecureQuerier {
 public:
  SecureQuerier(zmq::context_t& context, const std::string& endpoint,
                const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys);
  // The answer, or nullopt after `timeout` (or when the query cannot even
  // be queued: a refused connection).
  std::optional<View> ask(const Body& body, std::chrono::milliseconds timeout = kWait);
  std::optional<Handshake> handshake(std::chrono::milliseconds timeout = kWait) { return watch_.next(timeout); }

 private:
  Client client_;
  HandshakeWatch watch_;
};

// The next result on `subscriber` with this request_id (other messages are
// skipped), or nullopt after `timeout`.
std::optional<View> result_for(Subscriber& subscriber, const std::string& request_id,
                               std::chrono::milliseconds timeout = kWait);

// Sets an environment variable for the children started while it lives
// (ChildProcess passes the environment on). Tests run one at a time.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> previous_;
};

// Request bodies.
[[nodiscard]] Body request(const std::string& type, const std::string& request_id, const std::string& client_id);

}  // namespace opd::worker::test
