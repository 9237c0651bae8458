// Test harness for the worker: a real Service on a thread with real ZeroMQ
// sockets, clients for each socket, and MessagePack helpers. Every wait has
// a timeout: a test that does not get its answer fails, it never hangs.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "opd/core/schedule.h"
#include "opd/worker/service.h"

namespace opd::worker::test {

using namespace std::chrono_literals;

// Long enough for a loaded 2-core machine under ASan, short enough that a
// lost message fails the test quickly.
inline constexpr std::chrono::milliseconds kWait = 5s;

// ---- MessagePack ----------------------------------------------------------

// A request or query body: a map built in insertion order. Each value is
// packed as it is set (a key given twice is sent twice: tests use that).
class Body {
 public:
  Body& set(std::string key, const char* v) { return set(std::move(key), std::string(v)); }
  Body& set(std::string key, const std::string& v) {
    msgpack::packer<Bytes>(key_(key)).pack(v);
    return *this;
  }
  Body& set(std::string key, int v) { return set(std::move(key), std::int64_t{v}); }
  Body& set(std::string key, std::int64_t v) {
    msgpack::packer<Bytes>(key_(key)).pack_int64(v);
    return *this;
  }
  Body& set(std::string key, std::uint64_t v) {
    msgpack::packer<Bytes>(key_(key)).pack_uint64(v);
    return *this;
  }
  Body& set(std::string key, double v) {
    msgpack::packer<Bytes>(key_(key)).pack_double(v);
    return *this;
  }
  Body& set(std::string key, bool v) {
    msgpack::packer<Bytes> packer(key_(key));
    v ? packer.pack_true() : packer.pack_false();
    return *this;
  }
  Body& set_nil(std::string key) {
    msgpack::packer<Bytes>(key_(key)).pack_nil();
    return *this;
  }
  [[nodiscard]] std::string bytes() const;

 private:
  struct Bytes {
    std::string data;
    void write(const char* p, std::size_t n) { data.append(p, n); }
  };
  // Packs the key; the caller packs its value next.
  Bytes& key_(const std::string& key) {
    ++count_;
    msgpack::packer<Bytes>(fields_).pack(key);
    return fields_;
  }
  std::uint32_t count_ = 0;
  Bytes fields_;  // packed key, value, key, value, ...
};

// A read-only view of a decoded MessagePack value that keeps its storage
// alive. Accessors throw std::runtime_error naming the key on a missing key
// or a wrong type, which Catch reports as a failure.
class View {
 public:
  View() = default;
  View(std::shared_ptr<const msgpack::object_handle> owner, const msgpack::object* object)
      : owner_(std::move(owner)), object_(object) {}
  static View parse(std::string_view bytes);

  [[nodiscard]] bool has(std::string_view key) const;
  [[nodiscard]] View operator[](std::string_view key) const;
  [[nodiscard]] View at(std::size_t index) const;
  [[nodiscard]] std::size_t size() const;  // array or map length
  [[nodiscard]] std::vector<std::string> keys() const;

  [[nodiscard]] bool is_nil() const;
  [[nodiscard]] bool is_map() const;
  [[nodiscard]] std::string str() const;
  [[nodiscard]] std::uint64_t u64() const;
  [[nodiscard]] bool boolean() const;

  [[nodiscard]] std::string str(std::string_view key) const { return (*this)[key].str(); }
  [[nodiscard]] std::uint64_t u64(std::string_view key) const { return (*this)[key].u64(); }
  [[nodiscard]] bool boolean(std::string_view key) const { return (*this)[key].boolean(); }
  [[nodiscard]] bool is_nil(std::string_view key) const { return (*this)[key].is_nil(); }

  [[nodiscard]] std::string dump() const;  // for failure messages

 private:
  std::shared_ptr<const msgpack::object_handle> owner_;
  const msgpack::object* object_ = nullptr;
};

// ---- Schedules -------------------------------------------------------------

struct SlotSpec {
  std::string slot_id;
  std::uint32_t capacity = 0;
  std::string start;  // "" for untimed
  std::string end;
};
struct DoctorSpec {
  std::string doctor_id;
  std::vector<SlotSpec> slots;
};
[[nodiscard]] Schedule make_schedule(const std::vector<DoctorSpec>& doctors);

// ---- The worker ------------------------------------------------------------

// Test defaults: inproc endpoints, heartbeats every 50 ms (clients use them
// to know their subscription is live), short linger, logs discarded.
[[nodiscard]] ServiceConfig test_config();

// A Service running on its own thread in this process. The context is the
// fixture's, so inproc endpoints work for the clients made from it.
class RunningWorker {
 public:
  explicit RunningWorker(Schedule schedule, ServiceConfig config = test_config());
  ~RunningWorker();
  RunningWorker(const RunningWorker&) = delete;
  RunningWorker& operator=(const RunningWorker&) = delete;

  // Requests a stop and waits (bounded) for run() to return.
  void stop();

  zmq::context_t& context() { return *context_; }
  [[nodiscard]] const BoundEndpoints& endpoints() const { return service_->endpoints(); }
  // REQUIRES: stopped (the service's thread no longer runs).
  [[nodiscard]] const Service& service() const { return *service_; }

 private:
  std::unique_ptr<zmq::context_t> context_;
  std::unique_ptr<Service> service_;
  std::thread thread_;
  std::shared_ptr<std::atomic<bool>> finished_;
  bool stopped_ = false;
};

// ---- Clients ---------------------------------------------------------------

class Pusher {
 public:
  Pusher(zmq::context_t& context, const std::string& endpoint);
  void send(const Body& body) { send_raw(body.bytes()); }
  void send_raw(std::string_view bytes);
  void send_frames(const std::vector<std::string>& frames);

 private:
  zmq::socket_t socket_;
};

struct Published {
  std::string topic;
  View body;
};

class Subscriber {
 public:
  // Subscribes to `topics` and waits until the subscription is live (a
  // heartbeat arrived), so nothing published afterwards can be missed.
  Subscriber(zmq::context_t& context, const std::string& endpoint, const std::vector<std::string>& topics,
             int rcvhwm = 0);
  // The next message (heartbeats skipped unless asked for), or nullopt after
  // the timeout.
  std::optional<Published> next(std::chrono::milliseconds timeout = kWait, bool heartbeats = false);
  // The next message whose topic starts with `prefix`; throws after the timeout.
  Published expect(std::string_view prefix, std::chrono::milliseconds timeout = kWait);
  // Every message that arrives until `quiet` passes without one.
  std::vector<Published> drain(std::chrono::milliseconds quiet = 200ms);
  zmq::socket_t& socket() { return socket_; }

 private:
  std::optional<Published> receive(std::chrono::milliseconds timeout);
  zmq::socket_t socket_;
  std::deque<Published> early_;  // arrived while waiting for the first heartbeat
};

enum class QueryClient { kReq, kDealerWithDelimiter, kDealerBare };

class Querier {
 public:
  Querier(zmq::context_t& context, const std::string& endpoint, QueryClient kind = QueryClient::kReq);
  // Sends one query and returns the answer; throws after the timeout.
  View ask(const Body& body, std::chrono::milliseconds timeout = kWait) { return ask_raw(body.bytes(), timeout); }
  View ask_raw(std::string_view body, std::chrono::milliseconds timeout = kWait);

 private:
  zmq::context_t& context_;
  std::string endpoint_;
  QueryClient kind_;
  std::unique_ptr<zmq::socket_t> socket_;
};

// ---- Requests --------------------------------------------------------------

[[nodiscard]] Body allocate(std::string request_id, std::string doctor_id, std::string source,
                            std::string slot_id = "", std::string client_id = "kiosk-1");

// Pushes `body` and waits for its result on result/<client_id>/ (the
// subscriber must be subscribed to it). Board events before it are returned
// through `events` when given.
View round_trip(Pusher& pusher, Subscriber& subscriber, const Body& body,
                std::vector<Published>* events = nullptr);

// ---- Processes -------------------------------------------------------------

struct ProcessResult {
  int exit_code = -1;      // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out;
  std::string err;
};

// A child process with stdout and stderr captured to files (no pipe can
// fill up and block it). Killed with SIGKILL if still running at destruction.
class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int signal_number);
  // Waits for the exit; on timeout kills it (SIGKILL) and reports timed_out.
  ProcessResult wait(std::chrono::milliseconds timeout);
  [[nodiscard]] std::string err_so_far() const;

 private:
  int pid_ = -1;
  std::string out_path_;
  std::string err_path_;
  bool reaped_ = false;
};

// Runs `argv` to completion within `timeout`.
ProcessResult run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

// A private temporary directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace opd::worker::test
