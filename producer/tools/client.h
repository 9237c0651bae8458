// A protocol v1 client of the worker: PUSH for requests, SUB for results,
// board events and heartbeats, DEALER for queries.
//
// The slow-joiner problem: a PUB drops what it publishes before it has
// processed a subscriber's subscription, so a result published right after
// we send could be lost. ready() closes that window before anything is
// sent, without waiting up to a second for a heartbeat (docs/protocol.md's
// recipe): it waits for the SUB connection's handshake (the subscription
// frames follow it on that connection) and then for a query round trip
// through the worker's loop, by which time the worker's PUB has taken them
// in. The remaining risk is covered by resending with the same request_id
// (the worker answers a repeat as a duplicate, never applying it twice):
// see call().
//
// Every wait takes a deadline. Thread-safety: none; one thread per Client.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "producer/tools/cli.h"
#include "producer/tools/wire.h"

namespace opd::tools {

using Clock = std::chrono::steady_clock;

struct Message {
  std::string topic;
  json body;          // a map, or null when the body was not MessagePack
  bool decoded = true;
};

class Client {
 public:
  Client(const Endpoints& endpoints, std::string client_id);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  [[nodiscard]] const std::string& client_id() const noexcept { return client_id_; }

  // Adds a SUB prefix (idempotent). Until ready() succeeds again, messages
  // on it may still be lost.
  void subscribe(const std::string& prefix);

  // True once the subscriptions are live (see the header comment); false
  // when the worker did not answer before the deadline.
  [[nodiscard]] bool ready(Clock::time_point deadline);

  // One query, its answer decoded; nullopt on timeout (the DEALER is then
  // replaced, so a late answer cannot pass for the next query's) or when
  // the answer is not MessagePack.
  [[nodiscard]] std::optional<json> query(const json& body, Clock::time_point deadline);

  // Hands one request frame to PUSH; false when it could not be queued by
  // the deadline (no worker connected and the queue full).
  [[nodiscard]] bool push(const std::string& bytes, Clock::time_point deadline);

  // The next SUB message (heartbeats included), or nullopt at the deadline.
  [[nodiscard]] std::optional<Message> receive(Clock::time_point deadline);

 private:
  void open_dealer();
  // Reads pending monitor events into sub_connected_.
  void drain_monitor();
  // One message from SUB without waiting, or nullopt.
  std::optional<Message> read_sub();

  Endpoints endpoints_;
  std::string client_id_;
  zmq::context_t context_;
  zmq::socket_t push_;
  zmq::socket_t sub_;
  zmq::socket_t dealer_;
  zmq::socket_t monitor_;
  bool sub_connected_ = false;
  bool live_ = false;
  std::deque<Message> pending_;
};

// socket.connect(endpoint), with a bad endpoint reported as a UsageError
// naming it (ZeroMQ's own message is just "Invalid argument").
void connect_endpoint(zmq::socket_t& socket, const std::string& endpoint);
// The same for a socket that talks to the worker's secured sockets (PUSH,
// DEALER): sets the CURVE client options first when `curve` is enabled.
// Throws UsageError when only one of --server-key / --client-key was given.
void connect_secured(zmq::socket_t& socket, const std::string& endpoint, const CurveClient& curve);

// One query on a connection of its own (for tools that need no SUB).
// nullopt on timeout or when the answer is not MessagePack.
[[nodiscard]] std::optional<json> query_once(const std::string& endpoint, const json& body,
                                             std::chrono::milliseconds timeout, const CurveClient& curve = {});

// What call() matches a result by.
struct Expect {
  std::string topic;                      // "result/<client_id>/"
  std::optional<std::string> request_id;  // nullopt: the request_id was unreadable (nil in the result)
};

struct CallOutcome {
  std::optional<json> result;  // nullopt: every attempt timed out
  int attempts = 0;
};

// Sends a request and waits for its result, resending the same bytes after
// each `options.timeout` up to `options.retries` times. Every other message
// received meanwhile is passed to `other` (may be empty).
[[nodiscard]] CallOutcome call(Client& client, const std::string& bytes, const Expect& expect,
                               const ConnectOptions& options,
                               const std::function<void(const Message&)>& other);

}  // namespace opd::tools
