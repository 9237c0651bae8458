#include "opd/worker/security/zap_handler.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace opd::worker::security {
namespace {

// RFC 27 request: version, request id, domain, address, identity,
// mechanism, then the mechanism's credentials (CURVE: one frame, the
// client's 32-byte public key).
enum Frame : std::size_t { kVersion, kRequestId, kDomain, kAddress, kIdentity, kMechanism, kCredentials };
constexpr std::size_t kCurveRequestFrames = 7;

std::string_view view(const zmq::message_t& frame) { return {static_cast<const char*>(frame.data()), frame.size()}; }

}  // namespace

ZapHandler::ZapHandler(zmq::context_t& context, spdlog::logger& log)
    : log_(log), socket_(context, zmq::socket_type::rep) {
  socket_.set(zmq::sockopt::linger, 0);
  try {
    socket_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error(std::string("cannot bind the ZAP handler on ") + kZapEndpoint + ": " + e.what());
  }
}

void ZapHandler::answer_pending(const AuthorizedKeys& keys, std::size_t limit) {
  for (std::size_t n = 0; n < limit; ++n) {
    if (!socket_.recv(frames_[0], zmq::recv_flags::dontwait)) return;
    std::size_t frames = 1;
    for (bool more = frames_[0].more(); more; ++frames) {
      zmq::message_t& into = frames < kMaxFrames ? frames_[frames] : extra_;
      // The rest of a multipart message is already here: this cannot wait.
      if (!socket_.recv(into, zmq::recv_flags::dontwait)) break;
      more = into.more();
    }
    answer_one(keys, frames);
  }
}

void ZapHandler::answer_one(const AuthorizedKeys& keys, std::size_t frames) {
  std::string_view status = "500";
  std::string_view text = "malformed ZAP request";
  std::string user_id;
  const std::string_view address = frames > kAddress ? view(frames_[kAddress]) : std::string_view{};

  if (frames <= kMechanism || frames > kMaxFrames) {
    ++counters_.malformed;
    log_.error("ZAP: a request of {} frames; refused", frames);
  } else if (view(frames_[kVersion]) != "1.0") {
    ++counters_.malformed;
    log_.error("ZAP: request version '{}' (expected 1.0); refused", view(frames_[kVersion]));
  } else if (view(frames_[kMechanism]) != "CURVE") {
    status = "400";
    text = "only CURVE clients are accepted";
    refused(address, "mechanism " + std::string(view(frames_[kMechanism])));
  } else if (frames != kCurveRequestFrames) {
    ++counters_.malformed;
    log_.error("ZAP: a CURVE request of {} frames; refused", frames);
  } else if (view(frames_[kDomain]) != kZapDomain) {
    status = "400";
    text = "unknown domain";
    refused(address, "domain '" + std::string(view(frames_[kDomain])) + "'");
  } else if (frames_[kCredentials].size() != kCurveKeyBytes) {
    ++counters_.malformed;
    log_.error("ZAP: a CURVE credential of {} bytes; refused", frames_[kCredentials].size());
  } else {
    std::array<std::uint8_t, kCurveKeyBytes> bytes{};
    std::memcpy(bytes.data(), frames_[kCredentials].data(), bytes.size());
    const CurveKey key = CurveKey::from_bytes(bytes);
    if (const AuthorizedKey* entry = keys.find(key)) {
      status = "200";
      text = "OK";
      user_id = key.z85();
      ++counters_.admitted;
      log_.info("ZAP: admitted {} key {} ({}) from {}", to_string(entry->role), user_id,
                entry->comment.empty() ? std::string_view("no comment") : std::string_view(entry->comment), address);
    } else {
      status = "400";
      text = "key not authorised";
      refused(address, "unlisted key " + key.z85());
    }
  }

  // REP: exactly one reply per request, even a malformed one, or the
  // socket would refuse the next request.
  const std::string_view request_id = frames > kRequestId ? view(frames_[kRequestId]) : std::string_view{};
  const auto more = zmq::send_flags::sndmore | zmq::send_flags::dontwait;
  (void)socket_.send(zmq::buffer(std::string_view("1.0")), more);
  (void)socket_.send(zmq::buffer(request_id), more);
  (void)socket_.send(zmq::buffer(status), more);
  (void)socket_.send(zmq::buffer(text), more);
  (void)socket_.send(zmq::buffer(user_id), more);
  (void)socket_.send(zmq::const_buffer(), zmq::send_flags::dontwait);  // no metadata
}

void ZapHandler::refused(std::string_view address, std::string_view why) {
  ++counters_.refused;
  std::uint64_t held_back = 0;
  if (!throttle_.due(std::chrono::steady_clock::now(), held_back)) return;
  if (held_back > 0)
    log_.warn("ZAP: refused {} from {} (and {} more refusals in the last second)", why, address, held_back);
  else
    log_.warn("ZAP: refused {} from {}", why, address);
}

}  // namespace opd::worker::security
