// Where the worker finds its CURVE material (--curve-secret-key-file,
// --authorized-keys). Both or neither: a server key without a list of
// clients would admit nobody, a list without a key has nothing to guard.
#pragma once

#include <filesystem>

namespace opd::worker::security {

struct CurveConfig {
  std::filesystem::path secret_key_file;       // the server's secret key (key file, mode 0600)
  std::filesystem::path authorized_keys_file;  // clients and roles; re-read on SIGHUP
};

}  // namespace opd::worker::security
