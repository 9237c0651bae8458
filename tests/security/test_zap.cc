// The ZAP handler speaks RFC 27 (ZeroMQ's authentication protocol): asked
// directly here over inproc://zeromq.zap.01 on the worker's own context,
// as libzmq asks it for every CURVE handshake. It answers everything, even
// garbage, and keeps serving.
#include <catch2/catch.hpp>

#include "secure_fixture.h"

using namespace opd::worker::test;
using opd::worker::security::generate_key_pair;

namespace {

struct ZapReply {
  std::vector<std::string> frames;
  [[nodiscard]] const std::string& status() const { return frames.at(2); }
  [[nodiscard]] const std::string& user_id() const { return frames.at(4); }
};

std::optional<ZapReply> ask_zap(zmq::context_t& context, const std::vector<std::string>& request) {
  zmq::socket_t req(context, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.connect("inproc://zeromq.zap.01");
  for (std::size_t i = 0; i < request.size(); ++i)
    (void)req.send(zmq::buffer(request[i]), i + 1 < request.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  zmq::pollitem_t item{req.handle(), 0, ZMQ_POLLIN, 0};
  zmq::poll(&item, 1, kWait);
  if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
  ZapReply reply;
  zmq::message_t frame;
  do {
    (void)req.recv(frame, zmq::recv_flags::none);
    reply.frames.push_back(frame.to_string());
  } while (frame.more());
  return reply;
}

std::string bytes_of(const CurveKey& key) { return {reinterpret_cast<const char*>(key.bytes().data()), key.bytes().size()}; }

std::vector<std::string> curve_request(const std::string& id, const std::string& domain, const std::string& credentials) {
  return {"1.0", id, domain, "192.0.2.7", "", "CURVE", credentials};
}

}  // namespace

TEST_CASE("ZAP: a listed key gets 200 with its key as user id, an unlisted one 400", "[security][zap]") {
  KeyRing keys;
  RunningWorker worker(make_schedule({{"D1", {{"S1", 2}}}}), secured_config(keys));

  const auto listed = ask_zap(worker.context(), curve_request("r1", "opd", bytes_of(keys.desk.public_key)));
  REQUIRE(listed.has_value());
  REQUIRE(listed->frames.size() == 6);
  CHECK(listed->frames[0] == "1.0");
  CHECK(listed->frames[1] == "r1");  // the request id is echoed
  CHECK(listed->status() == "200");
  CHECK(listed->user_id() == keys.desk.public_key.z85());
  CHECK(listed->frames[5].empty());  // no metadata

  const auto unlisted =
      ask_zap(worker.context(), curve_request("r2", "opd", bytes_of(generate_key_pair().public_key)));
  REQUIRE(unlisted.has_value());
  CHECK(unlisted->frames[1] == "r2");
  CHECK(unlisted->status() == "400");
  CHECK(unlisted->user_id().empty());

  // The server's own key is not a client key.
  const auto server = ask_zap(worker.context(), curve_request("r3", "opd", bytes_of(keys.server.public_key)));
  REQUIRE(server.has_value());
  CHECK(server->status() == "400");
}

TEST_CASE("ZAP: other domains and mechanisms are refused, malformed requests get 500", "[security][zap]") {
  KeyRing keys;
  RunningWorker worker(make_schedule({{"D1", {{"S1", 2}}}}), secured_config(keys));
  const std::string admin = bytes_of(keys.admin.public_key);

  CHECK(ask_zap(worker.context(), curve_request("d", "other", admin))->status() == "400");
  CHECK(ask_zap(worker.context(), {"1.0", "n", "opd", "192.0.2.7", "", "NULL"})->status() == "400");
  CHECK(ask_zap(worker.context(), {"1.0", "p", "opd", "192.0.2.7", "", "PLAIN", "admin", "secret"})->status() ==
        "400");
  CHECK(ask_zap(worker.context(), {"2.0", "v", "opd", "192.0.2.7", "", "CURVE", admin})->status() == "500");
  CHECK(ask_zap(worker.context(), curve_request("s", "opd", admin.substr(0, 31)))->status() == "500");
  CHECK(ask_zap(worker.context(), {"1.0", "f"})->status() == "500");
  const auto many = ask_zap(worker.context(), std::vector<std::string>(20, "1.0"));
  REQUIRE(many.has_value());
  CHECK(many->status() == "500");

  // Still answering, and still right.
  CHECK(ask_zap(worker.context(), curve_request("ok", "opd", admin))->status() == "200");
}
