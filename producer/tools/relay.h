// The no-op relay: the ceiling the worker is measured against. It does what
// the worker does minus the work: take each request frame off a PULL socket
// and publish the same bytes on a PUB socket (behind the topic "relay/"),
// in batches, on one thread, with the worker's default PUB high-water mark
// (its PULL queue, 100,000, is ten times the worker's default --rcvhwm).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <zmq.hpp>

namespace opd::tools {

inline constexpr std::string_view kRelayTopic = "relay/";
inline constexpr int kRelayHwm = 100'000;  // the worker's --sndhwm default (its --rcvhwm is 10,000)

// Runs the relay loop on the calling thread until `stop` is set (checked at
// least every 100 ms). Binds `requests` (PULL) and `events` (PUB); the
// endpoints actually bound (an ephemeral tcp port resolved) are written to
// *bound_requests / *bound_events before `ready` is set.
void run_relay(zmq::context_t& context, const std::string& requests, const std::string& events,
               const std::atomic<bool>& stop, std::atomic<bool>& ready, std::string* bound_requests,
               std::string* bound_events, std::atomic<std::uint64_t>* relayed);

// A relay on its own thread, for the load generator's baseline run.
class RelayThread {
 public:
  // Throws std::runtime_error when the endpoints cannot be bound.
  RelayThread(const std::string& requests, const std::string& events);
  ~RelayThread();
  RelayThread(const RelayThread&) = delete;
  RelayThread& operator=(const RelayThread&) = delete;

  [[nodiscard]] const std::string& requests() const noexcept { return requests_; }
  [[nodiscard]] const std::string& events() const noexcept { return events_; }
  [[nodiscard]] std::uint64_t relayed() const noexcept { return relayed_.load(); }

 private:
  zmq::context_t context_{1};
  std::atomic<bool> stop_{false};
  std::atomic<bool> ready_{false};
  std::atomic<bool> failed_{false};
  std::atomic<std::uint64_t> relayed_{0};
  std::string requests_;
  std::string events_;
  std::string error_;
  std::thread thread_;
};

// Where to bind a relay next to a worker reached at `worker_requests`: the
// same transport (tcp on 127.0.0.1 with an ephemeral port, or ipc in /tmp),
// so the ratio compares like with like.
// For ipc, the socket files live in a private temporary directory that the
// destructor removes (ZeroMQ leaves the files behind).
class RelayBind {
 public:
  explicit RelayBind(const std::string& worker_requests);
  ~RelayBind();
  RelayBind(const RelayBind&) = delete;
  RelayBind& operator=(const RelayBind&) = delete;
  std::string requests;
  std::string events;

 private:
  std::string dir_;
};

}  // namespace opd::tools
