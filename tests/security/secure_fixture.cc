#include "secure_fixture.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace opd::worker::test {

namespace {

void write_file(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + temporary);
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

KeyRing::KeyRing()
    : server(security::generate_key_pair()),
      kiosk(security::generate_key_pair()),
      desk(security::generate_key_pair()),
      admin(security::generate_key_pair()),
      display(security::generate_key_pair()) {
  if (const auto error = security::write_key_file(server_key_file(), server.secret_key, security::KeyKind::kSecret,
                                                  false);
      !error.empty())
    throw std::runtime_error(error);
  write_authorized(role_lines());
}

void KeyRing::write_authorized(const std::vector<std::string>& lines) const {
  std::string text = "# written by the test\n";
  for (const auto& line : lines) text += line + "\n";
  write_file(authorized_keys_file(), text);
}

std::string KeyRing::line(const CurveKeyPair& pair, const std::string& role, const std::string& comment) {
  return pair.public_key.z85() + " " + role + " " + comment;
}

std::vector<std::string> KeyRing::role_lines() const {
  return {line(kiosk, "kiosk", "kiosk 1"), line(desk, "desk", "desk 1"), line(admin, "admin", "office"),
          line(display, "display", "waiting room")};
}

ServiceConfig secured_config(const KeyRing& keys) {
  ServiceConfig config = test_config();
  config.requests_endpoint = "tcp://127.0.0.1:0";
  config.events_endpoint = "tcp://127.0.0.1:0";
  config.queries_endpoint = "tcp://127.0.0.1:0";
  config.curve = keys.curve();
  return config;
}

void make_curve_client(zmq::socket_t& socket, const CurveKey& server_public, const CurveKeyPair& client) {
  socket.set(zmq::sockopt::curve_serverkey, zmq::const_buffer(server_public.bytes().data(), security::kCurveKeyBytes));
  socket.set(zmq::sockopt::curve_publickey,
             zmq::const_buffer(client.public_key.bytes().data(), security::kCurveKeyBytes));
  socket.set(zmq::sockopt::curve_secretkey,
             zmq::const_buffer(client.secret_key.bytes().data(), security::kCurveKeyBytes));
}

HandshakeWatch::HandshakeWatch(zmq::context_t& context, zmq::socket_t& watched)
    : watched_(watched), pair_(context, zmq::socket_type::pair) {
  static std::atomic<int> counter{0};
  const std::string endpoint = "inproc://handshake-watch-" + std::to_string(counter++);
  const int events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
  if (zmq_socket_monitor(watched.handle(), endpoint.c_str(), events) != 0)
    throw std::runtime_error("zmq_socket_monitor failed");
  pair_.set(zmq::sockopt::linger, 0);
  pair_.connect(endpoint);
}

HandshakeWatch::~HandshakeWatch() { (void)zmq_socket_monitor(watched_.handle(), nullptr, 0); }

std::optional<Handshake> HandshakeWatch::next(std::chrono::milliseconds timeout) {
  zmq::pollitem_t item{pair_.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  zmq::message_t event;
  zmq::message_t address;
  (void)pair_.recv(event, zmq::recv_flags::none);
  if (event.more()) (void)pair_.recv(address, zmq::recv_flags::none);
  if (event.size() < 6) throw std::runtime_error("a monitor event of " + std::to_string(event.size()) + " bytes");
  std::uint16_t id = 0;
  std::uint32_t value = 0;
  std::memcpy(&id, event.data(), sizeof id);
  std::memcpy(&value, static_cast<const char*>(event.data()) + sizeof id, sizeof value);
  return Handshake{.event = id, .value = value};
}

Client::Client(zmq::context_t& context, const std::string& endpoint, zmq::socket_type type,
               const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys)
    : endpoint_(endpoint), socket_(context, type) {
  socket_.set(zmq::sockopt::linger, 0);
  if (keys) make_curve_client(socket_, keys->first, keys->second);
}

void Client::connect() { socket_.connect(endpoint_); }

SecurePusher::SecurePusher(zmq::context_t& context, const std::string& endpoint,
                           const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys)
    : client_(context, endpoint, zmq::socket_type::push, keys), watch_(context, client_.socket()) {
  client_.socket().set(zmq::sockopt::sndtimeo, static_cast<int>(kWait.count()));
  client_.connect();
}

void SecurePusher::send(const Body& body) {
  const std::string bytes = body.bytes();
  if (!client_.socket().send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::none))
    throw std::runtime_error("push timed out");
}

bool SecurePusher::try_send(const Body& body) {
  const std::string bytes = body.bytes();
  return client_.socket().send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait).has_value();
}

SecureQuerier::SecureQuerier(zmq::context_t& context, const std::string& endpoint,
                             const std::optional<std::pair<CurveKey, CurveKeyPair>>& keys)
    : client_(context, endpoint, zmq::socket_type::dealer, keys), watch_(context, client_.socket()) {
  client_.socket().set(zmq::sockopt::sndtimeo, static_cast<int>(kWait.count()));
  client_.connect();
}

std::optional<View> SecureQuerier::ask(const Body& body, std::chrono::milliseconds timeout) {
  auto& s = client_.socket();
  const std::string bytes = body.bytes();
  // A connecting DEALER queues at once; one the worker refused may have no
  // pipe left: then nothing can be asked, and nothing answered.
  if (!s.send(zmq::const_buffer(), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return std::nullopt;
  if (!s.send(zmq::const_buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait))
    throw std::runtime_error("a query's body could not follow its delimiter");
  zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, timeout);
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  std::vector<zmq::message_t> frames;
  do {
    frames.emplace_back();
    (void)s.recv(frames.back(), zmq::recv_flags::none);
  } while (frames.back().more());
  if (frames.size() != 2 || frames[0].size() != 0)
    throw std::runtime_error("a DEALER answer is [empty, body], got " + std::to_string(frames.size()) + " frames");
  return View::parse(frames[1].to_string_view());
}

std::optional<View> result_for(Subscriber& subscriber, const std::string& request_id,
                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto p = subscriber.next(left.count() > 0 ? left : 0ms);
    if (!p) return std::nullopt;
    if (p->topic.starts_with("result/") && p->body.has("request_id") && !p->body["request_id"].is_nil() &&
        p->body.str("request_id") == request_id)
      return p->body;
  }
}

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* previous = std::getenv(name)) previous_ = previous;
  ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (previous_) ::setenv(name_, previous_->c_str(), 1);
  else ::unsetenv(name_);
}

Body request(const std::string& type, const std::string& request_id, const std::string& client_id) {
  Body body;
  body.set("type", type).set("request_id", request_id).set("client_id", client_id);
  return body;
}

}  // namespace opd::worker::test
