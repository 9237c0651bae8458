#include "opd/worker/security/gatekeeper.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace opd::worker::security {
namespace {

CurveKey load_secret_key(const std::filesystem::path& path) {
  KeyFileLoad load = read_key_file(path, KeyKind::kSecret);
  if (!load.key) throw std::runtime_error(load.error);
  return *load.key;
}

AuthorizedKeys load_keys(const std::filesystem::path& path) {
  AuthorizedKeysLoad load = load_authorized_keys(path);
  if (!load.keys) throw std::runtime_error(load.error);
  return std::move(*load.keys);
}

}  // namespace

Gatekeeper::Gatekeeper(zmq::context_t& context, CurveConfig config, spdlog::logger& log)
    : config_(std::move(config)),
      log_(log),
      secret_key_(load_secret_key(config_.secret_key_file)),
      public_key_(public_key_of(secret_key_)),
      keys_(load_keys(config_.authorized_keys_file)),
      zap_(context, log) {
  log_.info("CURVE on: server public key {}; {} authorised keys from {}", public_key_.z85(), keys_.size(),
            config_.authorized_keys_file.string());
  if (keys_.size() == 0)
    log_.warn("{} lists no key: no client can connect until keys are added and the worker gets SIGHUP",
              config_.authorized_keys_file.string());
}

void Gatekeeper::secure(zmq::socket_t& socket) const {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, zmq::const_buffer(secret_key_.bytes().data(), kCurveKeyBytes));
  // A domain makes libzmq consult the handler; the handler checks it too.
  socket.set(zmq::sockopt::zap_domain, std::string(kZapDomain));
}

bool Gatekeeper::reload() {
  AuthorizedKeysLoad load = load_authorized_keys(config_.authorized_keys_file);
  if (!load.keys) {
    log_.error("reload refused, keeping the {} keys loaded before: {}", keys_.size(), load.error);
    return false;
  }
  std::size_t removed = 0;
  for (const auto& [key, entry] : keys_.entries()) {
    const AuthorizedKey* now = load.keys->find(key);
    if (now == nullptr || now->role != entry.role) ++removed;
  }
  log_.info("reloaded {}: {} authorised keys ({} removed or changed role)", config_.authorized_keys_file.string(),
            load.keys->size(), removed);
  keys_ = std::move(*load.keys);
  last_role_.reset();
  return true;
}

Role Gatekeeper::role_of(const zmq::message_t& frame) {
  const char* user_id = zmq_msg_gets(frame.handle(), "User-Id");
  if (user_id == nullptr) return Role::kNone;
  const std::size_t length = std::strlen(user_id);
  if (length != kCurveKeyZ85Chars) return Role::kNone;
  if (last_role_ && std::memcmp(last_user_id_.data(), user_id, kCurveKeyZ85Chars) == 0) return *last_role_;
  const auto key = CurveKey::from_z85(std::string_view(user_id, length));
  const AuthorizedKey* entry = key ? keys_.find(*key) : nullptr;
  const Role role = entry != nullptr ? entry->role : Role::kNone;
  std::memcpy(last_user_id_.data(), user_id, kCurveKeyZ85Chars);
  last_role_ = role;
  return role;
}

}  // namespace opd::worker::security
