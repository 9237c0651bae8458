#include "producer/tools/client.h"

#include <zmq.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>

namespace opd::tools {
namespace {

// Results and events of a busy worker must not be dropped on our side.
constexpr int kSubReceiveHwm = 1'000'000;

int millis_until(Clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, 1'000'000));
}

std::string monitor_address() {
  static std::atomic<int> counter{0};
  return "inproc://opd-client-monitor-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

Client::Client(const Endpoints& endpoints, std::string client_id)
    : endpoints_(endpoints), client_id_(std::move(client_id)), context_(1) {
  // The monitor must exist before connect so the handshake is not missed.
  sub_ = zmq::socket_t(context_, zmq::socket_type::sub);
  sub_.set(zmq::sockopt::linger, 0);
  sub_.set(zmq::sockopt::rcvhwm, kSubReceiveHwm);
  const std::string monitor = monitor_address();
  if (zmq_socket_monitor(sub_.handle(), monitor.c_str(),
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED) != 0)
    throw zmq::error_t();
  monitor_ = zmq::socket_t(context_, zmq::socket_type::pair);
  monitor_.set(zmq::sockopt::linger, 0);
  monitor_.connect(monitor);
  connect_endpoint(sub_, endpoints_.events);

  push_ = zmq::socket_t(context_, zmq::socket_type::push);
  push_.set(zmq::sockopt::linger, 0);
  connect_secured(push_, endpoints_.requests, endpoints_.curve);
  open_dealer();
}

Client::~Client() {
  // Stop the monitor before its socket goes (libzmq asserts otherwise).
  if (sub_) zmq_socket_monitor(sub_.handle(), nullptr, 0);
}

void Client::open_dealer() {
  dealer_ = zmq::socket_t(context_, zmq::socket_type::dealer);
  dealer_.set(zmq::sockopt::linger, 0);
  connect_secured(dealer_, endpoints_.queries, endpoints_.curve);
}

void Client::subscribe(const std::string& prefix) {
  sub_.set(zmq::sockopt::subscribe, prefix);
  live_ = false;
}

void Client::drain_monitor() {
  zmq::message_t event;
  zmq::message_t address;
  while (monitor_.recv(event, zmq::recv_flags::dontwait)) {
    if (event.more()) (void)monitor_.recv(address, zmq::recv_flags::dontwait);
    if (event.size() < sizeof(std::uint16_t)) continue;
    std::uint16_t id = 0;
    std::memcpy(&id, event.data(), sizeof id);
    if (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      sub_connected_ = true;
    } else if (id == ZMQ_EVENT_DISCONNECTED) {
      sub_connected_ = false;
      live_ = false;
    }
  }
}

std::optional<Message> Client::read_sub() {
  zmq::message_t topic;
  if (!sub_.recv(topic, zmq::recv_flags::dontwait)) return std::nullopt;
  Message message{.topic = topic.to_string(), .body = nullptr};
  zmq::message_t body;
  bool more = topic.more();
  bool have_body = false;
  while (more) {
    zmq::message_t part;
    if (!sub_.recv(part, zmq::recv_flags::dontwait)) break;
    more = part.more();
    if (!have_body) {
      body = std::move(part);
      have_body = true;
    }
  }
  auto decoded = have_body ? from_msgpack(body.data(), body.size()) : std::nullopt;
  message.decoded = decoded.has_value();
  if (decoded) message.body = std::move(*decoded);
  return message;
}

bool Client::ready(Clock::time_point deadline) {
  if (live_) return true;
  drain_monitor();
  while (!sub_connected_) {
    std::array<zmq::pollitem_t, 2> items{{{monitor_.handle(), 0, ZMQ_POLLIN, 0},
                                          {sub_.handle(), 0, ZMQ_POLLIN, 0}}};
    const int wait = millis_until(deadline);
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
    drain_monitor();
    if (items[1].revents & ZMQ_POLLIN) {
      while (auto message = read_sub()) pending_.push_back(std::move(*message));
    }
    if (!sub_connected_ && wait == 0) return false;
  }
  // The subscription frames left right after the handshake; one trip
  // through the worker's loop gives its PUB time to take them in.
  if (!query(json{{"type", "health"}}, deadline)) return false;
  drain_monitor();
  live_ = sub_connected_;
  return live_;
}

std::optional<json> Client::query(const json& body, Clock::time_point deadline) {
  const std::string bytes = to_msgpack(body);
  bool sent = false;
  try {
    sent = dealer_.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait).has_value() &&
           dealer_.send(zmq::buffer(bytes), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    sent = false;
  }
  while (sent) {
    std::array<zmq::pollitem_t, 1> items{{{dealer_.handle(), 0, ZMQ_POLLIN, 0}}};
    const int wait = millis_until(deadline);
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
    if (!(items[0].revents & ZMQ_POLLIN)) {
      if (wait == 0) break;
      continue;
    }
    // [empty delimiter, body]; a bare body is accepted too.
    zmq::message_t frame;
    std::optional<json> answer;
    bool more = true;
    while (more && dealer_.recv(frame, zmq::recv_flags::dontwait)) {
      more = frame.more();
      if (frame.size() > 0 && !answer) answer = from_msgpack(frame.data(), frame.size());
    }
    return answer;
  }
  open_dealer();  // a late answer must not be read as the next query's
  return std::nullopt;
}

bool Client::push(const std::string& bytes, Clock::time_point deadline) {
  while (true) {
    if (push_.send(zmq::buffer(bytes), zmq::send_flags::dontwait)) return true;
    std::array<zmq::pollitem_t, 1> items{{{push_.handle(), 0, ZMQ_POLLOUT, 0}}};
    const int wait = millis_until(deadline);
    if (wait == 0) return false;
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
  }
}

std::optional<Message> Client::receive(Clock::time_point deadline) {
  while (true) {
    if (!pending_.empty()) {
      Message message = std::move(pending_.front());
      pending_.pop_front();
      return message;
    }
    if (auto message = read_sub()) return message;
    std::array<zmq::pollitem_t, 2> items{{{sub_.handle(), 0, ZMQ_POLLIN, 0},
                                          {monitor_.handle(), 0, ZMQ_POLLIN, 0}}};
    const int wait = millis_until(deadline);
    zmq::poll(items.data(), items.size(), std::chrono::milliseconds(wait));
    if (items[1].revents & ZMQ_POLLIN) drain_monitor();
    if (!(items[0].revents & ZMQ_POLLIN) && wait == 0) return std::nullopt;
  }
}

void connect_endpoint(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.connect(endpoint);
  } catch (const zmq::error_t& e) {
    throw UsageError("cannot connect to '" + endpoint + "': " + e.what() +
                     " (expected tcp://HOST:PORT, ipc://PATH or inproc://NAME)");
  }
}

void connect_secured(zmq::socket_t& socket, const std::string& endpoint, const CurveClient& curve) {
  if (curve.enabled()) {
    if (!curve.server_public || !curve.client_secret)
      throw UsageError("--server-key and --client-key go together");
    socket.set(zmq::sockopt::curve_serverkey, zmq::buffer(*curve.server_public));
    socket.set(zmq::sockopt::curve_publickey, zmq::buffer(*curve.client_public));
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(*curve.client_secret));
  }
  connect_endpoint(socket, endpoint);
}

std::optional<json> query_once(const std::string& endpoint, const json& body, std::chrono::milliseconds timeout,
                               const CurveClient& curve) {
  zmq::context_t context(1);
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  connect_secured(dealer, endpoint, curve);
  const std::string bytes = to_msgpack(body);
  if (!dealer.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait) ||
      !dealer.send(zmq::buffer(bytes), zmq::send_flags::dontwait))
    return std::nullopt;
  std::array<zmq::pollitem_t, 1> items{{{dealer.handle(), 0, ZMQ_POLLIN, 0}}};
  zmq::poll(items.data(), items.size(), timeout);
  if (!(items[0].revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t frame;
  std::optional<json> answer;
  bool more = true;
  while (more && dealer.recv(frame, zmq::recv_flags::dontwait)) {
    more = frame.more();
    if (frame.size() > 0 && !answer) answer = from_msgpack(frame.data(), frame.size());
  }
  return answer;
}

CallOutcome call(Client& client, const std::string& bytes, const Expect& expect,
                 const ConnectOptions& options, const std::function<void(const Message&)>& other) {
  CallOutcome out;
  const auto matches = [&expect](const Message& m) {
    if (m.topic != expect.topic || !m.decoded) return false;
    const auto it = m.body.find("request_id");
    if (expect.request_id) return it != m.body.end() && it->is_string() && it->get<std::string>() == *expect.request_id;
    return it == m.body.end() || it->is_null();
  };
  for (int attempt = 0; attempt <= options.retries; ++attempt) {
    const auto deadline = Clock::now() + options.timeout;
    ++out.attempts;
    // Even when this attempt cannot send (worker unreachable, queue full),
    // wait it out: the result of an earlier attempt may still come in.
    if (client.ready(deadline)) (void)client.push(bytes, deadline);
    while (auto message = client.receive(deadline)) {
      if (matches(*message)) {
        out.result = std::move(message->body);
        return out;
      }
      if (other) other(*message);
    }
  }
  return out;
}

}  // namespace opd::tools
