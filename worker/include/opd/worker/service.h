// The worker service: one thread, three sockets, one engine.
//
//   PULL   requests, one frame each, fair-queued across clients
//   PUB    results (result/<client_id>/), board events (doctor/<id>/),
//          heartbeats (heartbeat/)
//   ROUTER queries (snapshot, token, health, stats, report)
//
// With config.curve, PULL and ROUTER are CURVE servers: only clients whose
// keys are in the authorised-keys file connect, and each request is checked
// against its sender's role (security/roles.h). PUB stays plaintext: it
// carries token numbers and ids, never patient data (docs/operations.md).
//
// Every request received gets the next seq and exactly one result. Requests
// are applied one at a time in arrival order by the only thread that touches
// the engine and the sockets, so the engine needs no locks (the LMAX / Redis
// design). With a data directory, one helper thread writes snapshot files
// and day reports handed to it as bytes (worker/src/persistence.h); it never
// sees the engine.
//
// Thread-safety: construct, then call run() on one thread (it may be another
// thread than the constructor's). request_stop() may be called from any
// thread or a signal handler.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

#include "opd/core/engine.h"
#include "opd/core/schedule.h"
#include "opd/worker/persistence.h"
#include "opd/worker/security/curve_config.h"

namespace zmq {
class context_t;
}

namespace opd::worker {

struct ServiceConfig {
  std::string requests_endpoint = "tcp://*:5555";
  std::string events_endpoint = "tcp://*:5556";
  std::string queries_endpoint = "tcp://*:5557";
  EngineConfig engine;
  // PUB high-water mark, in messages per subscriber. A subscriber further
  // behind loses messages (and recovers with a snapshot); the worker never
  // waits for anyone.
  int sndhwm = 100'000;
  // PULL high-water mark, in messages per connection: what a client can
  // make the worker buffer while it is held up (a disk stall), each message
  // up to kTransportMaxMessageBytes. A client beyond it waits
  // (back-pressure); nothing is lost.
  int rcvhwm = 10'000;
  // Requests applied per loop turn at most; queries are answered between
  // batches, so this bounds how long a query can wait behind a flood.
  std::size_t max_batch = 256;
  // With --fsync always every batch costs one write + fdatasync (~0.25 ms
  // on this SSD when idle; 256 requests are ~0.6 ms of work). While
  // requests keep waiting, such a batch goes on past max_batch for up to 16
  // times as long as that commit has been taking (a moving average), so the
  // disk costs at most ~1/17 of a flood's time, whatever its speed; but
  // never past max_synced_batch requests (memory) or synced_batch_time
  // (a query waits at most about that plus one commit behind a flood).
  std::size_t max_synced_batch = 8192;
  std::chrono::microseconds synced_batch_time{20'000};
  std::size_t max_queries_per_turn = 64;
  std::chrono::milliseconds heartbeat_interval{1000};
  // On stop, how long PUB may keep trying to deliver what is queued.
  std::chrono::milliseconds linger{1000};
  // The journal and snapshots. nullopt keeps everything in memory: only
  // for tests that are not about durability; opd-worker always persists.
  std::optional<PersistenceConfig> persistence;
  // CURVE on the requests and queries sockets. nullopt: plaintext, every
  // request allowed (development; a warning when that is reachable from
  // other machines).
  std::optional<security::CurveConfig> curve;
  // A signalfd (see signals.h): SIGHUP re-reads the authorised keys, any
  // other signal means "stop"; -1 for none.
  int signal_fd = -1;
  std::shared_ptr<spdlog::logger> logger;  // null: discard logs
};

// The endpoints as bound: a tcp port 0 or '*' is resolved to the real one.
struct BoundEndpoints {
  std::string requests;
  std::string events;
  std::string queries;
};

class Service {
 public:
  // Builds the engine from `schedule` (REQUIRES: schedule.validate() is
  // empty), recovers the state kept in config.persistence's data dir (the
  // newest snapshot, then the journal after it), then binds the three
  // sockets. Throws std::runtime_error naming the endpoint that cannot be
  // bound, the data file and offset that cannot be recovered, or the key
  // file (and line) that cannot be used.
  Service(zmq::context_t& context, Schedule schedule, ServiceConfig config);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Serves until request_stop() or a signal on config.signal_fd; then stops
  // taking requests, publishes the batch in hand and closes its sockets (PUB
  // with config.linger). Call at most once. Throws PersistenceFailure when
  // the journal cannot be written (that batch is not published) or a
  // snapshot cannot be (the batches before it were, from the journal).
  void run();

  // The last seq applied (after recovery: the last one recovered).
  [[nodiscard]] std::uint64_t last_seq() const noexcept;
  // The engine, for tests comparing states. REQUIRES: run() is not running.
  [[nodiscard]] const Engine& engine() const noexcept;

  // Async-signal-safe and thread-safe: the loop leaves at its next turn.
  void request_stop() noexcept;

  [[nodiscard]] const BoundEndpoints& endpoints() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace opd::worker
