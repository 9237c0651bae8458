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
#include "opd/worker/security/exposure.h"
#include "opd/worker/security/gatekeeper.h"
#include "opd/worker/security/handshake_log.h"
#include "opd/worker/security/roles.h"
#include "opd/worker/stats.h"
#include "opd/worker/systemd_notify.h"
#include "opd/worker/topics.h"
#include "outbox.h"
#include "persistence.h"
#include "queries.h"
#include "replay_pipeline.h"

namespace opd::worker {
namespace {

using Clock = std::chrono::steady_clock;

// With --fsync always a growing batch may last this many times as long as
// a commit (write + fdatasync) has been taking: the disk then costs at
// most about 1/(1 + kSyncShare) of a flood's time.
constexpr int kSyncShare = 16;

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
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
  }
}

// A request received in this batch, on its way to the engine.
struct Pending {
  std::uint64_t seq = 0;
  std::uint8_t role = 0;  // security::role_to_byte of the sender's role
  DecodedRequest decoded;
};

void refuse_multipart(DecodedRequest& decoded, std::size_t frames) {
  decoded.refuse("a request is one frame, got " + std::to_string(frames));
}

// Closed days' reports are kept as files named after the day they close.
// REQUIRES: `result` is a DAY_OPENED answer.
std::string day_report_name(const Result& result, std::uint64_t seq) {
  const auto& closed = result.report->date;
  return closed ? "day-" + closed->str() : "day-before-" + result.date->str() + "-seq" + std::to_string(seq);
}

}  // namespace

struct Service::Impl {
  Impl(zmq::context_t& context, Schedule schedule, ServiceConfig c);
  ~Impl();

  void run();
  void take_batch();
  // Steps 4-5 of the loop for one request already received into `frame`.
  void take_one();
  // The engine's decision on one received request, viewed in place (valid
  // until the next); nullptr when the wire refused it. Replay takes the
  // same decisions through permitted() and Engine::apply_quietly().
  const OutcomeRef* decide(const Pending& p);
  // REQUIRES: p.decoded.request. Whether the sender's recorded role allows it.
  static bool permitted(const Pending& p);
  void replay(std::uint64_t replayed_seq, const JournalEntry& entry);
  void apply(Pending& p);
  void answer_queries();
  void answer_one_query(std::size_t frames);
  void reload_keys();
  void warn_if_exposed() const;
  void heartbeat_if_due(Clock::time_point now);
  void close_sockets();
  [[noreturn]] void stop_persisting(const PersistenceFailure& failure);
  [[nodiscard]] WorkerStatus status() const;

  ServiceConfig config;
  std::shared_ptr<spdlog::logger> log;
  Engine engine;
  BoundEndpoints bound;
  // Declared before the sockets it guards, so it is destroyed after them:
  // while no ZAP handler is bound, libzmq admits any CURVE client.
  std::optional<security::Gatekeeper> gate;
  zmq::socket_t pull;
  zmq::socket_t pub;
  zmq::socket_t router;
  // With CURVE: the handshakes of pull and router that fail before ZAP.
  // After them, so that it stops watching before they are destroyed.
  std::optional<security::HandshakeLog> handshakes;
  int stop_fd = -1;  // eventfd written by request_stop()
  std::unique_ptr<Persistence> persistence;  // null: in memory only
  ReplayPipeline* replaying = nullptr;        // during recovery only

  const std::string start_id = make_start_id();
  const Clock::time_point started = Clock::now();
  Clock::time_point next_heartbeat = started;
  std::uint64_t seq = 0;
  Stats stats;

  // Reused across turns so the hot path stops allocating after warm-up.
  Decoder decoder;
  Pending pending;
  std::size_t batch_size = 0;
  Outbox outbox;
  Result forbidden;          // the worker's own answer to a role's overreach
  OutcomeRef forbidden_ref;  // views `forbidden`
  bool day_opened = false;  // in the batch being applied
  std::vector<std::pair<std::string, std::string>> day_reports;  // name, MessagePack report
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
  // Key files first: a typo in one should not cost a long recovery.
  if (config.curve) gate.emplace(context, *config.curve, *log);
  // Recover before binding: no client can reach a half-recovered state.
  if (config.persistence) {
    ReplayPipeline pipeline(engine);
    replaying = &pipeline;
    persistence = std::make_unique<Persistence>(
        *config.persistence, engine,
        Persistence::Replay{.entry = [this](std::uint64_t s, const JournalEntry& entry) { replay(s, entry); },
                            .drained = [&pipeline] { pipeline.finish(); }},
        *log);
    replaying = nullptr;
    seq = persistence->recovered_seq();
  }
  pull = bind_socket(context, zmq::socket_type::pull, config.requests_endpoint, "requests",
                     bound.requests, [this](zmq::socket_t& s) {
                       if (gate) gate->secure(s);
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
                       bound.queries, [this](zmq::socket_t& s) {
                         if (gate) gate->secure(s);
                         s.set(zmq::sockopt::maxmsgsize, kTransportMaxMessageBytes);
                         s.set(zmq::sockopt::linger, 0);
                       });

  if (gate) {
    handshakes.emplace(*log);
    handshakes->watch(context, pull, "requests");
    handshakes->watch(context, router, "queries");
  }

  warn_if_exposed();

  stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
  config.max_batch = std::max<std::size_t>(config.max_batch, 1);
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
//   1. poll: requests (PULL), queries (ROUTER), the stop eventfd, the
//      signal fd, the ZAP handler and the handshake monitors; wake no later than the next heartbeat
//      or interval fsync
//   2. stop requested: leave. Every batch taken so far is already applied
//      and published, so stopping here loses nothing that was received.
//      SIGHUP: re-read the authorised keys (requests taken from here on
//      are judged by the new list)
//   3. answer ZAP: admit or refuse the CURVE handshakes waiting; log the
//      handshakes that failed before ZAP (no keys, not ZMTP)
//   4-5. take a batch and apply it, one request after another, in arrival
//      order: each is given the next seq and its sender's role (from the
//      key it authenticated with), decoded (wire validation happens here),
//      added to the journal's buffer exactly as received, with the role,
//      then decided (a request beyond its sender's role is REJECTED /
//      FORBIDDEN without reaching the engine) and its board events and
//      result encoded into the outbox. A batch ends when PULL has nothing
//      waiting or it holds max_batch requests; with --fsync always, where
//      each batch costs an fdatasync, it goes on past max_batch while it
//      has lasted less than kSyncShare commits (never past max_synced_batch
//      requests or synced_batch_time), so a flood spends most of its time
//      deciding rather than waiting for the disk, and a query still waits
//      a bounded time behind it
//   6. journal: the batch in one write, made durable with one fdatasync
//      (--fsync always). If that fails nothing is published: run() throws.
//   7. publish the batch; then hand a closed day's report and, when due
//      (every N records, open_day), the engine's serialised state to the
//      file thread, which writes them in that order (persistence.h)
//   8. answer queries (up to max_queries_per_turn): they see the state
//      after the batch, which is published, so durable in always mode
//   9. file thread's news (logged; a snapshot it could not write stops the
//      loop like a failed journal write), interval fsync and heartbeat, if due
void Service::Impl::run() {
  log->info("serving: requests on {}, events on {}, queries on {}", bound.requests, bound.events,
            bound.queries);
  std::array<zmq::pollitem_t, 7> items{};
  // Optional items go after the fixed three; index 0 (PULL) means absent.
  std::size_t item_count = 3;
  const std::size_t signal_at = config.signal_fd >= 0 ? item_count++ : 0;
  const std::size_t zap_at = gate ? item_count++ : 0;
  const std::size_t handshakes_at = item_count;  // then one item per watched socket
  if (handshakes) item_count += handshakes->size();
  while (true) {
    items[0] = {pull.handle(), 0, ZMQ_POLLIN, 0};
    items[1] = {router.handle(), 0, ZMQ_POLLIN, 0};
    items[2] = {nullptr, stop_fd, ZMQ_POLLIN, 0};
    if (signal_at != 0) items[signal_at] = {nullptr, config.signal_fd, ZMQ_POLLIN, 0};
    if (zap_at != 0) items[zap_at] = {gate->zap_socket().handle(), 0, ZMQ_POLLIN, 0};
    for (std::size_t i = 0; handshakes && i < handshakes->size(); ++i)
      items[handshakes_at + i] = {handshakes->monitor(i).handle(), 0, ZMQ_POLLIN, 0};
    const auto now = Clock::now();
    auto wake = next_heartbeat;
    if (persistence) wake = std::min(wake, persistence->next_deadline().value_or(wake));
    const auto wait = wake > now ? std::chrono::ceil<std::chrono::milliseconds>(wake - now)
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
    if (signal_at != 0 && (items[signal_at].revents & ZMQ_POLLIN)) {
      signalfd_siginfo info{};
      if (::read(config.signal_fd, &info, sizeof info) == static_cast<ssize_t>(sizeof info) &&
          info.ssi_signo == SIGHUP) {
        reload_keys();
      } else {
        log->info("received {}, stopping", signal_name(info.ssi_signo));
        break;
      }
    }
    if (zap_at != 0 && (items[zap_at].revents & ZMQ_POLLIN)) gate->answer_zap();
    for (std::size_t i = 0; handshakes && i < handshakes->size(); ++i)
      if (items[handshakes_at + i].revents & ZMQ_POLLIN) handshakes->drain(i);

    if (items[0].revents & ZMQ_POLLIN) {
      take_batch();
      if (persistence) {
        try {
          persistence->commit();
        } catch (const PersistenceFailure& e) {
          // Nothing of this batch goes out: it may not be on disk, and an
          // acknowledged request must never be lost.
          log->critical("cannot persist seq {}..{}: {}; stopping without publishing them",
                        seq - batch_size + 1, seq, e.what());
          close_sockets();
          throw;
        }
      }
      outbox.publish(pub);
      if (persistence) {
        for (auto& [name, report] : day_reports) persistence->keep_day_report(std::move(name), std::move(report));
        try {
          persistence->after_batch(seq, engine, day_opened);
        } catch (const PersistenceFailure& e) {
          stop_persisting(e);
        }
      }
    }
    if (items[1].revents & ZMQ_POLLIN) answer_queries();
    if (persistence) {
      try {
        persistence->tick(Clock::now());
      } catch (const PersistenceFailure& e) {
        stop_persisting(e);
      }
    }
    heartbeat_if_due(Clock::now());
  }
  close_sockets();
  // A snapshot handed to the file thread is finished before run() returns:
  // whoever stopped the worker finds the data directory complete.
  if (persistence) {
    try {
      persistence->finish();
    } catch (const PersistenceFailure& e) {
      stop_persisting(e);
    }
  }
  log->info("stopped after {} requests ({} malformed), last seq {}", stats.received, stats.malformed,
            seq);
  log->flush();
}

// What was published is in the journal, so nothing acknowledged is lost;
// but the disk refused a sync or a snapshot and will refuse the journal
// next. Stop now, loudly, as after a failed journal write.
void Service::Impl::stop_persisting(const PersistenceFailure& failure) {
  log->critical("{}; stopping (everything published is in the journal)", failure.what());
  close_sockets();
  throw failure;
}

void Service::Impl::take_batch() {
  batch_size = 0;
  day_opened = false;
  day_reports.clear();
  const bool grows = persistence && persistence->syncs_every_batch();
  const std::size_t most = grows ? std::max(config.max_batch, config.max_synced_batch) : config.max_batch;
  const auto batch_started = Clock::now();
  // Long enough that waiting for the disk stays a small share of a flood's
  // time whatever the disk's speed, never longer than synced_batch_time.
  const auto budget = grows ? std::min<Clock::duration>(config.synced_batch_time,
                                                        kSyncShare * persistence->typical_commit())
                            : Clock::duration::zero();
  while (batch_size < most) {
    // Past max_batch only while within budget: the clock is read only
    // there, and once per request (tens of ns against ~2 us of work).
    if (batch_size >= config.max_batch && Clock::now() - batch_started >= budget) break;
    if (!pull.recv(frame, zmq::recv_flags::dontwait)) break;
    take_one();
  }
  if (batch_size == 0) return;
  ++stats.batches;
  if (batch_size > stats.largest_batch) stats.largest_batch = batch_size;
}

void Service::Impl::take_one() {
  ++batch_size;
  Pending& p = pending;
  p.seq = ++seq;
  p.role = security::role_to_byte(gate ? gate->role_of(frame) : security::Role::kOpen);
  ++stats.received;
  decoder.request(frame.data(), frame.size(), p.decoded);
  // The parts of a multipart message arrive together: drain them all, so
  // the next request starts at a message boundary.
  std::size_t frames = 1;
  for (bool more = frame.more(); more; ++frames) {
    if (!pull.recv(extra, zmq::recv_flags::dontwait)) break;
    more = extra.more();
  }
  if (frames > 1) refuse_multipart(p.decoded, frames);
  // Journaled as received: replay decodes it again and decides the same.
  // Except a frame over the size limit, refused for its size alone: it is
  // journaled as an empty frame, refused too and as inert (no state
  // change), so that a kiosk sending frames up to the transport ceiling
  // cannot make the journal and its batch buffer grow by as much each.
  const std::string_view received(static_cast<const char*>(frame.data()), frame.size());
  if (persistence)
    persistence->record(p.seq, JournalEntry{.role = p.role,
                                            .frames = static_cast<std::uint32_t>(frames),
                                            .bytes = received.size() > kMaxRequestBytes ? std::string_view()
                                                                                        : received});
  apply(p);
}

bool Service::Impl::permitted(const Pending& p) {
  // Judged by the role recorded with the request, so replay reaches the
  // same verdict whatever the authorised-keys file says today.
  const auto role = security::role_from_byte(p.role).value_or(security::Role::kNone);
  return security::permits(role, p.decoded.request->type);
}

const OutcomeRef* Service::Impl::decide(const Pending& p) {
  if (!p.decoded.request) return nullptr;
  if (!permitted(p)) {
    const auto role = security::role_from_byte(p.role).value_or(security::Role::kNone);
    forbidden = security::forbidden_result(role, *p.decoded.request);
    forbidden_ref = OutcomeRef{.result = ref_of(forbidden), .events = {}};
    return &forbidden_ref;
  }
  // Encoded from the engine's records, with no copy into values between.
  return &engine.apply_in_place(*p.decoded.request);
}

// The same verdicts as decide(), without rendering answers nobody will
// receive: replay only rebuilds the engine's state (and with it the
// idempotency table, which renders any later duplicate from the state).
// This thread decodes; the pipeline's thread applies (apply_quietly).
void Service::Impl::replay(std::uint64_t replayed_seq, const JournalEntry& entry) {
  Pending& p = pending;  // the loop has not started: free for reuse
  p.seq = seq = replayed_seq;
  if (!security::role_from_byte(entry.role))
    throw std::runtime_error("journal record of seq " + std::to_string(replayed_seq) + " has role byte " +
                             std::to_string(entry.role) + ", which this release does not know");
  p.role = entry.role;
  decoder.request(entry.bytes.data(), entry.bytes.size(), p.decoded);
  if (entry.frames > 1) refuse_multipart(p.decoded, entry.frames);
  if (p.decoded.request && permitted(p)) replaying->push(std::move(*p.decoded.request));
}

void Service::Impl::apply(Pending& p) {
  const OutcomeRef* outcome_or_null = decide(p);
  if (outcome_or_null == nullptr) {
    stats.count_malformed();
    log->debug("seq {}: malformed request: {}", p.seq, p.decoded.error);
    append_result_topic(outbox.topic(), p.decoded.client_id);
    encode_malformed(outbox.body(), p.seq, p.decoded);
    outbox.commit();
    ++stats.results;
    return;
  }
  const OutcomeRef& decided = *outcome_or_null;
  // FORBIDDEN comes from the worker, never the engine: not "applied".
  if (decided.result.code == Code::kForbidden) ++stats.rejected[static_cast<std::size_t>(Code::kForbidden)];
  else stats.count_applied(decided.result);
  // Events before the result: a client that sees its result has already
  // received every board event the request caused.
  for (const auto& event : decided.events) {
    append_doctor_topic(outbox.topic(), event.doctor_id.view());
    encode_event(outbox.body(), p.seq, event);
    outbox.commit();
    ++stats.events;
  }
  append_result_topic(outbox.topic(), p.decoded.client_id);
  encode_result(outbox.body(), p.seq, decided.result);
  outbox.commit();
  ++stats.results;
  if (decided.result.status == Status::kDayOpened && !decided.result.duplicate) {
    day_opened = true;
    // Converted to JSON and written by the file thread: milliseconds for
    // a busy day, which the loop does not spend.
    if (persistence) day_reports.emplace_back(day_report_name(*decided.result.day_opened, p.seq), outbox.last_body());
  }
  log->debug("seq {}: {} {} -> {}{}{}", p.seq, to_string(decided.result.type),
             decided.result.request_id.view(), to_string(decided.result.status),
             decided.result.ok() ? "" : " ", to_string(decided.result.code));
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
  } else if (const auto& body = query_frames[envelope];
             gate && gate->role_of(body) == security::Role::kNone) {
    // Admitted once, but its key has since been removed from the list.
    encode_query_error(answer, Code::kForbidden,
                       "the sender's key is not authorised (unlisted, or removed by a reload)");
    code = Code::kForbidden;
  } else {
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
  if (handshakes) handshakes->close();  // before the sockets it watches
  pull.close();
  router.close();
  pub.close();
  if (gate) gate->close();  // last: see the member's comment
}

void Service::Impl::reload_keys() {
  if (!gate) {
    log->info("received SIGHUP: nothing to reload (CURVE is off)");
    return;
  }
  (void)notify_systemd("RELOADING=1");
  log->info("received SIGHUP: reloading the authorised keys");
  (void)gate->reload();
  (void)notify_systemd("READY=1");
}

// Plaintext requests or queries reachable from other machines let anyone on
// that network book, cancel or close. Allowed (development, the demo), but
// never silently.
void Service::Impl::warn_if_exposed() const {
  for (const auto& warning :
       security::exposure_warnings(gate.has_value(), {{"requests", bound.requests}, {"queries", bound.queries}}))
    log->warn("{}", warning);
  if (gate) log->info("events (PUB) on {} are plaintext by design: token numbers and ids, no patient data", bound.events);
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

std::uint64_t Service::last_seq() const noexcept { return impl_->seq; }

const Engine& Service::engine() const noexcept { return impl_->engine; }

}  // namespace opd::worker
