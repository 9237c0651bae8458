// End-to-end benchmark (issue 3): requests per second through
// PUSH -> PULL -> decode -> apply -> encode -> PUB -> SUB, with every result
// received by a subscriber, against the same run's no-op relay (PULL -> PUB
// of the raw bytes) as the ceiling of the transport on this machine.
//
// In the flood runs each role has its own ZeroMQ context (its own I/O
// thread), as separate processes would; the paced latency runs use one
// client thread for sending and receiving (see paced_client). High-water marks are raised so that nothing is dropped:
// a lost result is a failure, reported and exit status 1.
//
// Then the durability figures (issue 4): the same run with the journal
// under --fsync never and --fsync always (group commit), the replay speed
// of that journal at start-up, what an open_day (day report + snapshot)
// holds up, and send-to-result latency at a paced 10,000 requests per
// second with --fsync never and always, beside two floors measured in the
// same run: the disk's own append+fdatasync and a no-op relay.
//
//   opd_worker_bench [REQUESTS] [ipc|tcp] [cpu-only|paced-only|open-day-only|replay-only]
//                                                      (defaults: 1000000 ipc, everything)
//
// OPD_BENCH_PACED=N: requests in the paced runs (default 50,000: one
// open_day inside). OPD_BENCH_LOG=1: the workers' logs on stderr.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <msgpack.hpp>
#include <zmq.hpp>

#include "bench_requests.h"
#include "opd/core/engine.h"
#include "opd/worker/decode.h"
#include "opd/worker/encode.h"
#include "opd/worker/logging.h"
#include "opd/worker/service.h"

namespace {

using opd::bench::make_requests;
using opd::bench::make_schedule;
using opd::bench::kRequestsPerDay;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int kHwm = 10'000'000;
static std::size_t PACED = 50000;  // one open_day (request 40,000) inside


struct Endpoints {
  std::string requests, events;
};

Endpoints endpoints(const std::string& transport, const std::string& dir, int round) {
  if (transport == "tcp") {
    const int base = 25555 + 10 * round;
    return {"tcp://127.0.0.1:" + std::to_string(base), "tcp://127.0.0.1:" + std::to_string(base + 1)};
  }
  return {"ipc://" + dir + "/requests" + std::to_string(round), "ipc://" + dir + "/events" + std::to_string(round)};
}

struct Received {
  std::vector<Clock::time_point> arrivals;  // by seq - 1 (paced runs only)
  std::uint64_t count = 0;
  bool in_order = true;  // seq 1, 2, 3, ... (worker run only)
  Clock::time_point last;
};

// The seq of a result without decoding the whole map: the worker writes
// "seq" first, so the body starts with a map header, "\xa3seq", then the
// unsigned integer. Keeps the consumer's share of the two cores small.
std::uint64_t seq_of(const zmq::message_t& body) {
  const auto* p = static_cast<const unsigned char*>(body.data());
  const std::size_t size = body.size();
  std::size_t at = (size > 0 && (p[0] & 0xf0) == 0x80) ? 1 : 3;  // fixmap or map16
  if (size < at + 5 || std::memcmp(p + at, "\xa3seq", 4) != 0) return 0;
  at += 4;
  const unsigned char tag = p[at++];
  if (tag < 0x80) return tag;
  const std::size_t width = tag == 0xcc ? 1 : tag == 0xcd ? 2 : tag == 0xce ? 4 : tag == 0xcf ? 8 : 0;
  if (width == 0 || size < at + width) return 0;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = (value << 8) | p[at + i];
  return value;
}

// Subscribes to result/ and counts `expected` messages (bounded wait).
Received consume(const std::string& endpoint, std::uint64_t expected, bool check_seq, std::atomic<bool>& ready) {
  zmq::context_t context(1);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, kHwm);
  sub.set(zmq::sockopt::rcvtimeo, 5000);
  sub.connect(endpoint);
  sub.set(zmq::sockopt::subscribe, "result/");
  ready = true;
  Received r;
  zmq::message_t topic, body;
  while (r.count < expected) {
    if (!sub.recv(topic)) break;  // 5 s without a message: give up, report the loss
    (void)sub.recv(body);
    ++r.count;
    if (check_seq && seq_of(body) != r.count) r.in_order = false;
  }
  r.last = Clock::now();
  return r;
}

void produce(const std::string& endpoint, const std::vector<std::string>& requests) {
  zmq::context_t context(1);
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, kHwm);
  push.connect(endpoint);
  for (const auto& r : requests) (void)push.send(zmq::buffer(r), zmq::send_flags::none);
  push.set(zmq::sockopt::linger, -1);  // deliver everything before the context ends
}

struct Run {
  double seconds = 0;
  Received received;
  std::vector<Clock::time_point> due;  // paced runs only
};

// A kiosk and a display in one thread, for latency: sends request i at
// start + i / rate (open loop) and records when each result arrives.
// Latency is measured from the scheduled send, so a stall is not hidden by
// the sender waiting for it (no coordinated omission). One thread and one
// I/O thread rather than two of each: on two cores every thread the
// harness wakes adds latency to what it measures.
Run paced_client(const Endpoints& e, const std::vector<std::string>& requests, double rate, bool check_seq) {
  zmq::context_t context(1);
  zmq::socket_t push(context, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, kHwm);
  push.connect(e.requests);
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, kHwm);
  sub.connect(e.events);
  sub.set(zmq::sockopt::subscribe, "result/");
  std::this_thread::sleep_for(300ms);  // let the subscription reach the PUB
  // Wake on time: the default 50 us timer slack would count as latency.
  ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  const int sub_fd = sub.get(zmq::sockopt::fd);

  Run run;
  const std::size_t total = requests.size();
  run.due.resize(total);
  run.received.arrivals.reserve(total);
  const auto start = Clock::now() + 10ms;
  const auto due_at = [&](std::size_t i) {
    return start + std::chrono::nanoseconds(static_cast<std::int64_t>(1e9 * static_cast<double>(i) / rate));
  };
  Received& got = run.received;
  zmq::message_t topic, body;
  std::size_t sent = 0;
  Clock::time_point give_up = Clock::time_point::max();
  while (got.count < total) {
    // ZMQ_FD is edge-triggered: drain everything before waiting again.
    while (sub.recv(topic, zmq::recv_flags::dontwait)) {
      (void)sub.recv(body);
      got.arrivals.push_back(Clock::now());
      ++got.count;
      if (check_seq && seq_of(body) != got.count) got.in_order = false;
    }
    if (got.count == total) break;
    const auto now = Clock::now();
    if (sent < total && now >= due_at(sent)) {
      run.due[sent] = due_at(sent);
      (void)push.send(zmq::buffer(requests[sent]), zmq::send_flags::none);
      if (++sent == total) give_up = Clock::now() + 5s;  // then report the loss
      continue;
    }
    if (now >= give_up) break;
    const auto wake = sent < total ? due_at(sent) : give_up;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wake - now).count();
    const timespec timeout{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd fd{sub_fd, POLLIN, 0};
    (void)::ppoll(&fd, 1, &timeout, nullptr);
  }
  got.last = Clock::now();
  run.seconds = std::chrono::duration<double>(got.last - start).count();
  push.set(zmq::sockopt::linger, 0);
  return run;
}

// The ceiling: the same sockets, the same messages, no work in between.
Run relay_run(const Endpoints& e, const std::vector<std::string>& requests, double paced_rate = 0) {
  std::atomic<bool> stop{false};
  std::thread relay([&] {
    zmq::context_t context(1);
    zmq::socket_t pull(context, zmq::socket_type::pull);
    zmq::socket_t pub(context, zmq::socket_type::pub);
    pull.set(zmq::sockopt::rcvhwm, kHwm);
    pub.set(zmq::sockopt::sndhwm, kHwm);
    pull.set(zmq::sockopt::rcvtimeo, 100);
    pull.bind(e.requests);
    pub.bind(e.events);
    zmq::message_t message;
    const std::string topic = "result/bench/";
    while (!stop) {
      if (!pull.recv(message)) continue;
      (void)pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
      (void)pub.send(message, zmq::send_flags::none);
    }
    pub.set(zmq::sockopt::linger, 0);
  });
  if (paced_rate > 0) {
    Run run = paced_client(e, requests, paced_rate, false);
    stop = true;
    relay.join();
    return run;
  }
  std::atomic<bool> ready{false};
  Received received;
  std::thread consumer([&] { received = consume(e.events, requests.size(), false, ready); });
  while (!ready) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(300ms);  // let the subscription reach the PUB
  const auto start = Clock::now();
  produce(e.requests, requests);
  consumer.join();
  stop = true;
  relay.join();
  return Run{std::chrono::duration<double>(received.last - start).count(), received, {}};
}

// A worker on the bench's endpoints, with queues deep enough for a flood.
opd::worker::ServiceConfig bench_config(const Endpoints& e) {
  opd::worker::ServiceConfig config;
  config.requests_endpoint = e.requests;
  config.events_endpoint = e.events;
  config.queries_endpoint = "inproc://queries";
  config.sndhwm = kHwm;
  config.rcvhwm = kHwm;
  config.linger = 0ms;
  // The worker's own log (snapshot timings) on stderr when asked.
  if (std::getenv("OPD_BENCH_LOG") != nullptr) config.logger = opd::worker::make_stderr_logger(spdlog::level::info);
  return config;
}

Run worker_run(const Endpoints& e, const std::vector<std::string>& requests,
               std::optional<opd::worker::PersistenceConfig> persistence = std::nullopt, double paced_rate = 0) {
  zmq::context_t context(1);
  auto config = bench_config(e);
  config.persistence = std::move(persistence);
  opd::worker::Service service(context, make_schedule(), config);
  std::thread loop([&] { service.run(); });
  if (paced_rate > 0) {
    Run run = paced_client(e, requests, paced_rate, true);
    service.request_stop();
    loop.join();
    return run;
  }
  std::atomic<bool> ready{false};
  Received received;
  std::thread consumer([&] { received = consume(e.events, requests.size(), true, ready); });
  while (!ready) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(300ms);
  const auto start = Clock::now();
  produce(e.requests, requests);
  consumer.join();
  service.request_stop();
  loop.join();
  return Run{std::chrono::duration<double>(received.last - start).count(), received, {}};
}

opd::worker::PersistenceConfig journal_in(const std::string& dir, opd::worker::FsyncMode fsync) {
  // No snapshot during the run: the replay figure below covers the whole journal.
  return opd::worker::PersistenceConfig{.data_dir = dir, .fsync = fsync, .snapshot_every = 1'000'000'000};
}

// What an open_day costs with --fsync always, day after day: each day's
// requests are flooded and answered, then (the worker idle) one request
// alone, the open_day alone, and the next request sent the moment the
// open_day's result arrives, each timed from its send to its result. The
// last one waits for whatever the loop still does after publishing the
// open_day (the snapshot, the day's report), so it shows the pause.
struct OpenDayTimes {
  std::vector<double> plain_us, open_day_us, behind_us;
};

std::optional<OpenDayTimes> open_day_times(const Endpoints& e, const std::vector<std::string>& requests,
                                           const std::string& data_dir) {
  zmq::context_t context(1);
  auto config = bench_config(e);
  config.persistence = journal_in(data_dir, opd::worker::FsyncMode::kAlways);
  opd::worker::Service service(context, make_schedule(), config);
  std::thread loop([&] { service.run(); });

  zmq::context_t clients(1);
  zmq::socket_t sub(clients, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, kHwm);
  sub.set(zmq::sockopt::rcvtimeo, 5000);
  sub.connect(e.events);
  sub.set(zmq::sockopt::subscribe, "result/");
  zmq::socket_t push(clients, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, kHwm);
  push.set(zmq::sockopt::linger, 0);
  push.connect(e.requests);
  std::this_thread::sleep_for(300ms);

  std::uint64_t sent = 0;
  std::uint64_t answered = 0;
  zmq::message_t topic, body;
  auto send = [&](const std::string& r) {
    (void)push.send(zmq::buffer(r), zmq::send_flags::none);
    ++sent;
  };
  auto wait_all = [&] {
    while (answered < sent) {
      if (!sub.recv(topic)) return false;
      (void)sub.recv(body);
      ++answered;
    }
    return true;
  };
  auto timed = [&](const std::string& r) -> std::optional<double> {
    const auto start = Clock::now();
    send(r);
    if (!wait_all()) return std::nullopt;
    return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
  };

  OpenDayTimes times;
  bool ok = true;
  auto is_day_change = [&](std::size_t i) {
    return i < requests.size() && requests[i].find("open_day") != std::string::npos;
  };
  for (std::size_t i = 0; ok && i < requests.size(); ++i) {
    if (is_day_change(i + 1) && i + 2 < requests.size()) continue;  // held back: the plain probe
    if (!is_day_change(i) || i == 0 || i + 1 >= requests.size()) {
      send(requests[i]);
      continue;
    }
    ok = wait_all();
    const auto plain = ok ? timed(requests[i - 1]) : std::nullopt;
    const auto opened = plain ? timed(requests[i]) : std::nullopt;
    const auto behind = opened ? timed(requests[i + 1]) : std::nullopt;
    ok = behind.has_value();
    if (!ok) break;
    times.plain_us.push_back(*plain);
    times.open_day_us.push_back(*opened);
    times.behind_us.push_back(*behind);
    ++i;
  }
  (void)wait_all();
  service.request_stop();
  loop.join();
  if (!ok) return std::nullopt;
  return times;
}

// Start-up time of a worker on `dir`: lock, no snapshot, replay every record.
double replay_seconds(const std::string& dir) {
  zmq::context_t context(1);
  opd::worker::ServiceConfig config;
  config.requests_endpoint = "inproc://replay-requests";
  config.events_endpoint = "inproc://replay-events";
  config.queries_endpoint = "inproc://replay-queries";
  config.persistence = journal_in(dir, opd::worker::FsyncMode::kNever);
  const auto start = Clock::now();
  opd::worker::Service service(context, make_schedule(), config);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("(replayed to seq %llu)\n", static_cast<unsigned long long>(service.last_seq()));
  return seconds;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

// The worker's own work per request without any socket: decode, apply,
// encode the result and events. Shows how much of the end-to-end time is
// the allocator and the codec, and how much is ZeroMQ.
double cpu_path_seconds(const std::vector<std::string>& requests) {
  opd::Engine engine(make_schedule());
  opd::worker::Decoder decoder;
  opd::worker::DecodedRequest decoded;
  opd::worker::ByteBuffer out;
  std::uint64_t seq = 0;
  std::size_t sink = 0;
  const auto start = Clock::now();
  for (const auto& r : requests) {
    decoder.request(r.data(), r.size(), decoded);
    out.clear();
    if (!decoded.request) continue;
    const auto& outcome = engine.apply_in_place(*decoded.request);  // as the worker's loop
    for (const auto& e : outcome.events) opd::worker::encode_event(out, ++seq, e);
    opd::worker::encode_result(out, seq, outcome.result);
    sink += out.size();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (sink == 0) std::printf("(nothing encoded)\n");
  return seconds;
}

bool print_open_day_times(const std::string& transport, const std::string& dir, const std::vector<std::string>& requests) {
  const auto days = open_day_times(endpoints(transport, dir, 7), requests, dir + "/open-day");
  if (!days) return false;
  if (days->plain_us.empty()) return true;
  auto summary = [](const std::vector<double>& v) {
    return "p50 " + std::to_string(static_cast<long>(percentile(v, 0.5))) + " us, max " +
           std::to_string(static_cast<long>(percentile(v, 1.0))) + " us";
  };
  std::printf("open_day, --fsync always, %zu days (send to result, the worker idle before each): "
              "a request alone %s; the open_day %s; the request sent as its result arrives %s\n",
              days->plain_us.size(), summary(days->plain_us).c_str(), summary(days->open_day_us).c_str(),
              summary(days->behind_us).c_str());
  return true;
}

void print_fdatasync_cost(const std::string& dir) {
  const std::string file = dir + "/fdatasync-probe";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string record(100, 'x');
  std::vector<double> us;
  for (int i = 0; i < 2'000; ++i) {
    const auto start = Clock::now();
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) || ::fdatasync(fd) != 0) break;
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  ::close(fd);
  std::filesystem::remove(file);
  std::printf("disk: 100-byte append + fdatasync, %zu times: p50 %.0f us, p99 %.0f us, max %.0f us\n", us.size(),
              percentile(us, 0.50), percentile(us, 0.99), percentile(us, 1.0));
}

// Send-to-result latency at a paced 10,000 requests per second (the first
// OPD_BENCH_PACED requests, default 50,000, which hold one open_day),
// --fsync never then always.
bool paced_latency(const std::string& transport, const std::string& dir, const std::vector<std::string>& requests) {
  using opd::worker::FsyncMode;
  const std::size_t paced_count = std::min<std::size_t>(requests.size(), PACED);
  const std::vector<std::string> paced_requests(requests.begin(), requests.begin() + static_cast<std::ptrdiff_t>(paced_count));
  const auto latencies = [](const Run& run) {
    std::vector<double> latency_us;
    for (std::size_t i = 0; i < run.received.arrivals.size() && i < run.due.size(); ++i)
      latency_us.push_back(std::chrono::duration<double, std::micro>(run.received.arrivals[i] - run.due[i]).count());
    return latency_us;
  };
  const auto print = [&](const std::string& what, const std::vector<double>& latency_us) {
    std::printf("latency at 10000 req/s, %s (%zu requests, from the scheduled send): "
                "p50 %.0f us, p99 %.0f us, p99.9 %.0f us, max %.0f us\n",
                what.c_str(), latency_us.size(), percentile(latency_us, 0.50), percentile(latency_us, 0.99),
                percentile(latency_us, 0.999), percentile(latency_us, 1.0));
  };
  // The disk's own floor: what one small append and its fdatasync cost in
  // the same directory, right before the paced runs. Every batch in
  // always mode pays one; a stall here is a stall there.
  ::sync();  // the earlier runs' writeback is not this probe's
  print_fdatasync_cost(dir);
  // The harness's own floor: the same sockets and pacing through a no-op
  // relay. On two cores, the sender, the subscriber and each context's I/O
  // thread take turns with whatever is measured.
  const Run relay = relay_run(endpoints(transport, dir, 8), paced_requests, 10'000);
  print("no-op relay", latencies(relay));
  bool paced_ok = relay.received.count == paced_count;
  for (const auto mode : {FsyncMode::kNever, FsyncMode::kAlways}) {
    // Each run starts with nothing dirty in the page cache: the previous
    // run's journal, written back meanwhile, would stall this run's
    // fdatasyncs (ext4 commits both together) and be counted against it.
    ::sync();
    const Run paced = worker_run(endpoints(transport, dir, mode == FsyncMode::kNever ? 4 : 5), paced_requests,
                                 journal_in(dir + "/paced-" + std::string(opd::worker::to_string(mode)), mode), 10'000);
    const std::vector<double> latency_us = latencies(paced);
    print("--fsync " + std::string(opd::worker::to_string(mode)), latency_us);
    paced_ok = paced_ok && paced.received.count == paced_count;
    // An open_day closes a day (report) and snapshots the engine: what the
    // requests right behind it see is the pause that costs.
    for (std::size_t i = 0; i < latency_us.size(); ++i) {
      if (paced_requests[i].find("open_day") == std::string::npos) continue;
      const std::size_t end = std::min(latency_us.size(), i + 200);
      const double worst = *std::max_element(latency_us.begin() + static_cast<std::ptrdiff_t>(i),
                                              latency_us.begin() + static_cast<std::ptrdiff_t>(end));
      std::printf("  open_day at request %zu (report + snapshot): the next %zu requests' latency at most %.0f us\n",
                  i + 1, end - i, worst);
    }
  }
  return paced_ok;
}

// Start-up replay of a journal no snapshot covers: open_day snapshots, so
// the journal is written without the day changes. `rounds` start-ups of
// the same journal, one line each.
void replay_figure(const std::string& transport, const std::string& dir, const std::vector<std::string>& requests,
                   int rounds) {
  std::vector<std::string> one_day;
  for (const auto& r : requests)
    if (r.find("open_day") == std::string::npos) one_day.push_back(r);
  const Run journaled = worker_run(endpoints(transport, dir, 6), one_day,
                                   journal_in(dir + "/replay", opd::worker::FsyncMode::kNever));
  for (int round = 0; round < rounds; ++round) {
    const double replay = replay_seconds(dir + "/replay");
    std::printf("replay at start-up: %llu journal records in %.3f s = %.0f records/s\n",
                static_cast<unsigned long long>(journaled.received.count), replay,
                static_cast<double>(journaled.received.count) / replay);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::string transport = argc > 2 ? argv[2] : "ipc";
  if (const char* paced = std::getenv("OPD_BENCH_PACED")) PACED = std::strtoull(paced, nullptr, 10);
  if (total == 0 || (transport != "ipc" && transport != "tcp")) {
    std::fprintf(stderr, "usage: opd_worker_bench [REQUESTS] [ipc|tcp]\n");
    return 2;
  }
  std::string dir = (std::filesystem::temp_directory_path() / "opd-bench-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return 1;

  const auto requests = make_requests(total);
  std::size_t bytes = 0;
  for (const auto& r : requests) bytes += r.size();
  std::printf("%llu requests over %s, %.0f bytes each on average; HWMs %d\n",
              static_cast<unsigned long long>(total), transport.c_str(),
              static_cast<double>(bytes) / static_cast<double>(total), kHwm);

  const double cpu = cpu_path_seconds(requests);
  std::printf("cpu path (decode, apply, encode; no sockets): %.3f s, %8.0f req/s\n", cpu,
              static_cast<double>(total) / cpu);
  const std::string only = argc > 3 ? argv[3] : "";
  if (only == "cpu-only") return 0;
  if (only == "open-day-only") {
    const bool ok = print_open_day_times(transport, dir, requests);
    std::filesystem::remove_all(dir);
    return ok ? 0 : 1;
  }
  if (only == "replay-only") {
    replay_figure(transport, dir, requests, 5);
    std::filesystem::remove_all(dir);
    return 0;
  }
  if (only == "paced-only") {
    const bool ok = paced_latency(transport, dir, requests);
    std::filesystem::remove_all(dir);
    return ok ? 0 : 1;
  }
  const Run relay = relay_run(endpoints(transport, dir, 0), requests);
  std::printf("relay  (PULL -> PUB raw bytes):            %.3f s, %8.0f msgs/s, received %llu\n", relay.seconds,
              static_cast<double>(relay.received.count) / relay.seconds,
              static_cast<unsigned long long>(relay.received.count));
  const Run worker = worker_run(endpoints(transport, dir, 1), requests);
  std::printf("worker (PULL -> decode, apply, encode -> PUB): %.3f s, %8.0f req/s, received %llu, lost %llu, seq %s\n",
              worker.seconds, static_cast<double>(worker.received.count) / worker.seconds,
              static_cast<unsigned long long>(worker.received.count),
              static_cast<unsigned long long>(total - worker.received.count),
              worker.received.in_order ? "1..N in order" : "OUT OF ORDER");
  std::printf("ratio worker / relay: %.2f\n", relay.seconds / worker.seconds);

  using opd::worker::FsyncMode;
  // Each journaled run starts with the page cache written back, as the
  // paced runs do: the never run leaves ~100 MB dirty, whose writeback
  // would otherwise land in the always run's fdatasyncs.
  ::sync();
  const Run never = worker_run(endpoints(transport, dir, 2), requests, journal_in(dir + "/never", FsyncMode::kNever));
  ::sync();
  const Run always = worker_run(endpoints(transport, dir, 3), requests, journal_in(dir + "/always", FsyncMode::kAlways));
  std::printf("worker, journal --fsync never:  %.3f s, %8.0f req/s, received %llu\n", never.seconds,
              static_cast<double>(never.received.count) / never.seconds,
              static_cast<unsigned long long>(never.received.count));
  std::printf("worker, journal --fsync always: %.3f s, %8.0f req/s, received %llu\n", always.seconds,
              static_cast<double>(always.received.count) / always.seconds,
              static_cast<unsigned long long>(always.received.count));
  std::printf("ratio always / never: %.2f (group commit: one write + one fdatasync per batch)\n",
              never.seconds / always.seconds);
  replay_figure(transport, dir, requests, 1);

  const bool days = print_open_day_times(transport, dir, requests);

  const bool paced_ok = paced_latency(transport, dir, requests);
  std::filesystem::remove_all(dir);
  const bool ok = days && relay.received.count == total && worker.received.count == total && worker.received.in_order &&
                  never.received.count == total && always.received.count == total && always.received.in_order &&
                  paced_ok;
  return ok ? 0 : 1;
}
