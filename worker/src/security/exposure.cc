#include "opd/worker/security/exposure.h"

namespace opd::worker::security {

bool is_local_endpoint(std::string_view endpoint) noexcept {
  if (endpoint.starts_with("inproc://") || endpoint.starts_with("ipc://")) return true;
  if (!endpoint.starts_with("tcp://")) return false;
  std::string_view host = endpoint.substr(6);
  // tcp://HOST:PORT; HOST may be [v6] (ZMQ_LAST_ENDPOINT writes v6 so).
  const auto colon = host.rfind(':');
  if (colon == std::string_view::npos) return false;
  host = host.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost" || host == "lo" || host == "::1") return true;
  if (!host.starts_with("127.")) return false;
  // 127.x.y.z with digits and dots only (not a host name such as 127.example).
  for (const char c : host)
    if (c != '.' && (c < '0' || c > '9')) return false;
  return true;
}

std::vector<std::string> exposure_warnings(bool curve,
                                           const std::vector<std::pair<std::string_view, std::string_view>>& endpoints) {
  std::vector<std::string> warnings;
  for (const auto& [what, endpoint] : endpoints) {
    if (!curve && !is_local_endpoint(endpoint))
      warnings.push_back(std::string(what) + " on " + std::string(endpoint) +
                         " without CURVE: anyone who can reach it may send anything; give "
                         "--curve-secret-key-file and --authorized-keys (docs/operations.md)");
    if (curve && endpoint.starts_with("inproc://"))
      warnings.push_back(std::string(what) + " on " + std::string(endpoint) +
                         ": inproc peers skip the CURVE handshake, so their requests are FORBIDDEN");
  }
  return warnings;
}

}  // namespace opd::worker::security
