#include "opd/worker/service.h"

#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include <zmq.hpp>

#include "opd/worker/decode.h"
#include "opd/worker/encode.h"
#include "opd/worker/logging.h"
#include "opd/worker/protocol.h"
#include "opd/worker/stats.h"
#include "opd/worker/topics.h"
#include "outbox.h"
#include "queries.h"

namespace opd::worker {
namespace {

using Clock = std::chrono::steady_clock;

// A query is an envelope (identity, maybe more hops, an empty delimiter)
// and one body; anything beyond this many frames is drained and refused.
constexpr std::size_t kMaxQueryFrames = 8;

// Differs on every start, so a display seeing a new start_id in the
// heartbeat knows the worker restarted and re-snapshots.
std::string make_start_id() {
  std::random_device device;
  std::uint64_t bits = (std::uint64_t{device()} << 32) ^ device();
  bits ^= static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  bits ^= static_cast<std::uint64_t>(::getpid()) << 48;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = kHex[(bits >> (60 - 4 * i)) & 0xf];
  return id;
}

// Options are set before bind(): libzmq copies them into the listener at
// bind time, so anything set later would not apply to tcp/ipc peers.
template <class Configure>
zmq::socket_t bind_socket(zmq::context_t& context, zmq::socket_type type, const std::string& endpoint,
                          const char* role, std::string& bound, Configure configure) {
  zmq::socket_t socket(context, type);
  configure(socket);
  try {
    socket.bind(endpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error(std::string("cannot bind the ") + role + " endpoint '" + endpoint +
                             "': " + e.what());
  }
  bound = socket.get(zmq::sockopt::last_endpoint);
  return socket;
}

const char* signal_name(std::uint32_t signal) {
  switch (signal) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    default: return "a signal";
  }
}

// A request received in this batch, on its way to the engine.
struct Pending {
  std::uint64_t seq = 0;
  DecodedRequest decoded;
};

}  // namespace

struct Service::Impl {
  Impl(zmq::context_t& context, Schedule schedule, ServiceConfig c);
  ~Impl();

  void run();
  void take_batch();
  void apply_batch();
  void answer_queries();
  void answer_one_query(std::size_t frames);
  void heartbeat_if_due(Clock::time_point now);
  void close_sockets();
  [[nodiscard]] WorkerStatus status() const;

  ServiceConfig config;
  std::shared_ptr<spdlog::logger> log;
  Engine engine;
  BoundEndpoints bound;
  zmq::socket_t pull;
  zmq::socket_t pub;
  zmq::socket_t router;
  int stop_fd = -1;  // eventfd written by request_stop()

  const std::string start_id = make_start_id();
  const Clock::time_point started = Clock::now();
  Clock::time_point next_heartbeat = started;
  std::uint64_t seq = 0;
  Stats stats;

  // Reused across turns so the hot path stops allocating after warm-up.
  Decoder decoder;
  std::vector<Pending> batch;
  std::size_t batch_size = 0;
  Outbox outbox;
  zmq::message_t frame;
  zmq::message_t extra;
  std::array<zmq::message_t, kMaxQueryFrames> query_frames;
  DecodedQuery query;
  ByteBuffer answer;
};

Service::Impl::Impl(zmq::context_t& context, Schedule schedule, ServiceConfig c)
    : config(std::move(c)),
      log(config.logger ? config.logger : make_null_logger()),
      engine(std::move(schedule), config.engine) {
  pull = bind_socket(context, zmq::socket_type::pull, config.requests_endpoint, "requests",
                     bound.requests, [this](zmq::socket_t& s) {
                       s.set(zmq::sockopt::rcvhwm, config.rcvhwm);
                       s.set(zmq::sockopt::maxmsgsize, kTransportMaxMessageBytes);
                       s.set(zmq::sockopt::linger, 0);
                     });
  pub = bind_socket(context, zmq::socket_type::pub, config.events_endpoint, "events", bound.events,
                    [this](zmq::socket_t& s) {
                      s.set(zmq::sockopt::sndhwm, config.sndhwm);
                      s.set(zmq::sockopt::linger, static_cast<int>(config.linger.count()));
                    });
  router = bind_socket(context, zmq::socket_type::router, config.queries_endpoint, "queries",
                       bound.queries, [](zmq::socket_t& s) {
                         s.set(zmq::sockopt::maxmsgsize, kTransportMaxMessageBytes);
                         s.set(zmq::sockopt::linger, 0);
                       });

  stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  batch.resize(config.max_batch == 0 ? 1 : config.max_batch);
  config.max_batch = batch.size();
}

Service::Impl::~Impl() {
  if (stop_fd >= 0) ::close(stop_fd);
}

WorkerStatus Service::Impl::status() const {
  return WorkerStatus{
      .seq = seq,
      .start_id = start_id,
      .uptime_s = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count())};
}

// The loop. One turn, always in this order (the order is the design):
//   1. poll: requests (PULL), queries (ROUTER), the stop eventfd and the
//      signal fd; wake no later than the next heartbeat
//   2. stop requested: leave. Every batch taken so far is already applied
//      and published, so stopping here loses nothing that was received.
//   3. take a batch: up to max_batch requests, each given the next seq and
//      decoded on receipt; wire validation happens here
//      [issue 6: the role check of each request goes here]
//      [issue 4: journal the batch here, one write + one fdatasync]
//   4. apply the batch in arrival order, encoding each request's board
//      events and then its result
//   5. publish the batch
//   6. answer queries (up to max_queries_per_turn): they see the state
//      after the batch
//   7. heartbeat, if one is due
void Service::Impl::run() {
  log->info("serving: requests on {}, events on {}, queries on {}", bound.requests, bound.events,
            bound.queries);
  std::array<zmq::pollitem_t, 4> items{};
  const std::size_t item_count = config.signal_fd >= 0 ? 4 : 3;
  while (true) {
    items[0] = {pull.handle(), 0, ZMQ_POLLIN, 0};
    items[1] = {router.handle(), 0, ZMQ_POLLIN, 0};
    items[2] = {nullptr, stop_fd, ZMQ_POLLIN, 0};
    items[3] = {nullptr, config.signal_fd, ZMQ_POLLIN, 0};
    const auto now = Clock::now();
    const auto wait = next_heartbeat > now
                          ? std::chrono::ceil<std::chrono::milliseconds>(next_heartbeat - now)
                          : std::chrono::milliseconds(0);
    try {
      zmq::poll(items.data(), item_count, wait);
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }

    if (items[2].revents & ZMQ_POLLIN) {
      std::uint64_t count = 0;
      if (::read(stop_fd, &count, sizeof count) < 0) {}  // only the readiness matters
      log->info("stop requested");
      break;
    }
    if (item_count == 4 && (items[3].revents & ZMQ_POLLIN)) {
      signalfd_siginfo info{};
      if (::read(config.signal_fd, &info, sizeof info) < 0) {}
      log->info("received {}, stopping", signal_name(info.ssi_signo));
      break;
    }

    if (items[0].revents & ZMQ_POLLIN) {
      take_batch();
      apply_batch();
      outbox.publish(pub);
    }
    if (items[1].revents & ZMQ_POLLIN) answer_queries();
    heartbeat_if_due(Clock::now());
  }
  close_sockets();
  log->info("stopped after {} requests ({} malformed), last seq {}", stats.received, stats.malformed,
            seq);
  log->flush();
}

void Service::Impl::take_batch() {
  batch_size = 0;
  while (batch_size < config.max_batch) {
    const auto received = pull.recv(frame, zmq::recv_flags::dontwait);
    if (!received) break;
    Pending& p = batch[batch_size++];
    p.seq = ++seq;
    ++stats.received;
    decoder.request(frame.data(), frame.size(), p.decoded);
    // The parts of a multipart message arrive together: drain them all, so
    // the next request starts at a message boundary.
    std::size_t frames = 1;
    for (bool more = frame.more(); more; ++frames) {
      if (!pull.recv(extra, zmq::recv_flags::dontwait)) break;
      more = extra.more();
    }
    if (frames > 1) p.decoded.refuse("a request is one frame, got " + std::to_string(frames));
  }
}

void Service::Impl::apply_batch() {
  if (batch_size == 0) return;
  ++stats.batches;
  if (batch_size > stats.largest_batch) stats.largest_batch = batch_size;
  for (std::size_t i = 0; i < batch_size; ++i) {
    Pending& p = batch[i];
    if (!p.decoded.request) {
      stats.count_malformed();
      log->debug("seq {}: malformed request: {}", p.seq, p.decoded.error);
      append_result_topic(outbox.topic(), p.decoded.client_id);
      encode_malformed(outbox.body(), p.seq, p.decoded);
      outbox.commit();
      ++stats.results;
      continue;
    }
    const Outcome outcome = engine.apply(*p.decoded.request);
    stats.count_applied(outcome.result);
    // Events before the result: a client that sees its result has already
    // received every board event the request caused.
    for (const auto& event : outcome.events) {
      append_doctor_topic(outbox.topic(), event.doctor_id.view());
      encode_event(outbox.body(), p.seq, event);
      outbox.commit();
      ++stats.events;
    }
    append_result_topic(outbox.topic(), p.decoded.client_id);
    encode_result(outbox.body(), p.seq, outcome.result);
    outbox.commit();
    ++stats.results;
    log->debug("seq {}: {} {} -> {}{}{}", p.seq, to_string(outcome.result.type),
               outcome.result.request_id.view(), to_string(outcome.result.status),
               outcome.result.ok() ? "" : " ", to_string(outcome.result.code));
  }
}

void Service::Impl::answer_queries() {
  for (std::size_t n = 0; n < config.max_queries_per_turn; ++n) {
    if (!router.recv(query_frames[0], zmq::recv_flags::dontwait)) return;
    std::size_t frames = 1;
    for (bool more = query_frames[0].more(); more; ++frames) {
      zmq::message_t& into = frames < kMaxQueryFrames ? query_frames[frames] : extra;
      if (!router.recv(into, zmq::recv_flags::dontwait)) break;
      more = into.more();
    }
    answer_one_query(frames);
  }
}

// ROUTER hands us [identity, ..., body]. A REQ client (or a DEALER that
// mimics one) puts an empty delimiter before the body; a bare DEALER does
// not. The answer goes back behind the same envelope, so both work.
void Service::Impl::answer_one_query(std::size_t frames) {
  ++stats.queries;
  const std::size_t kept = std::min(frames, kMaxQueryFrames);
  std::size_t envelope = 1;  // frames sent back before the answer
  for (std::size_t i = 1; i < kept; ++i) {
    if (query_frames[i].size() == 0) {
      envelope = i + 1;
      break;
    }
  }
  answer.clear();
  Code code;
  if (frames != envelope + 1) {
    const std::string reason =
        frames > kMaxQueryFrames || frames > envelope + 1
            ? "a query is one body frame after the envelope, got " + std::to_string(frames) + " frames"
            : std::string("a query needs a body frame");
    encode_query_error(answer, Code::kBadRequest, reason);
    code = Code::kBadRequest;
  } else {
    const auto& body = query_frames[envelope];
    decoder.query(body.data(), body.size(), query);
    code = answer_query(query, QueryContext{engine, stats, status()}, answer);
  }
  if (code == Code::kBadRequest) ++stats.bad_queries;
  // ROUTER drops what it cannot deliver (peer gone, or past its HWM)
  // instead of blocking: a vanished client costs nothing.
  for (std::size_t i = 0; i < envelope; ++i)
    if (!router.send(query_frames[i], zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return;
  (void)router.send(zmq::const_buffer(answer.view().data(), answer.size()), zmq::send_flags::dontwait);
}

void Service::Impl::heartbeat_if_due(Clock::time_point now) {
  if (now < next_heartbeat) return;
  next_heartbeat = now + config.heartbeat_interval;
  outbox.topic().append(kHeartbeatTopic);
  encode_heartbeat(outbox.body(), status());
  outbox.commit();
  ++stats.heartbeats;
  outbox.publish(pub);
}

void Service::Impl::close_sockets() {
  // Nothing received is still unanswered here (see the loop's step 2): the
  // remaining PULL queue was never taken and gets no result, as after a
  // crash; PUB keeps trying to deliver for at most `linger`.
  pull.close();
  router.close();
  pub.close();
}

Service::Service(zmq::context_t& context, Schedule schedule, ServiceConfig config)
    : impl_(std::make_unique<Impl>(context, std::move(schedule), std::move(config))) {}

Service::~Service() = default;

void Service::run() { impl_->run(); }

void Service::request_stop() noexcept {
  const std::uint64_t one = 1;
  if (::write(impl_->stop_fd, &one, sizeof one) < 0) {}  // full counter: a stop is pending anyway
}

const BoundEndpoints& Service::endpoints() const noexcept { return impl_->bound; }

}  // namespace opd::worker
