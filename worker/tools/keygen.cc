// opd-keygen: makes a CURVE key pair as two Z85 text files, NAME.key (the
// secret, mode 0600) and NAME.pub, for opd-worker (--curve-secret-key-file)
// and the client tools (--client-key, --server-key). It prints the public
// key, or with --role the line to add to the worker's authorised-keys file.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "opd/worker/security/curve_key.h"
#include "opd/worker/security/roles.h"

namespace {

using namespace opd::worker::security;

constexpr int kExitUsage = 2;

const char* const kUsage = R"(Usage: opd-keygen [OPTION]... NAME
       opd-keygen --public SECRET_KEY_FILE
Creates a CURVE key pair for opd-worker or a client: NAME.key, the secret
key (mode 0600, created so that nobody else can ever read it), and NAME.pub,
the public key. Both are text files holding the key in Z85 (40 characters)
after '#' comment lines. Prints the public key, or with --role the line to
add to the worker's authorised-keys file.

The worker's pair: opd-worker --curve-secret-key-file NAME.key; clients are
given NAME.pub as --server-key. A client's pair: the client takes NAME.key
as --client-key; its public key goes into the authorised-keys file.

  --role ROLE       kiosk | desk | admin | display: print the line for the
                    authorised-keys file, "PUBLIC-KEY ROLE COMMENT", instead
                    of the bare key
  --comment TEXT    the comment for that line              [NAME's file name]
  --force           overwrite NAME.key and NAME.pub if they exist
  --public FILE     print the public key of the secret key FILE and exit
  -h, --help        print this help and exit
  -V, --version     print the version and exit

Exit status: 0 on success, 1 if a file cannot be read or written, 2 for a
bad argument.
)";

int usage_error(const std::string& message) {
  std::fprintf(stderr, "opd-keygen: %s\nTry 'opd-keygen --help'.\n", message.c_str());
  return kExitUsage;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "opd-keygen: %s\n", message.c_str());
  return 1;
}

int print_public(const std::string& secret_file) {
  const KeyFileLoad load = read_key_file(secret_file, KeyKind::kSecret);
  if (!load.key) return fail(load.error);
  std::printf("%s\n", public_key_of(*load.key).z85().c_str());
  return 0;
}

int run(const std::vector<std::string>& args) {
  std::optional<Role> role;
  std::optional<std::string> comment;
  std::optional<std::string> name;
  bool force = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "-V" || arg == "--version") {
      std::printf("opd-keygen " OPD_VERSION "\n");
      return 0;
    }
    if (arg == "--force") {
      force = true;
      continue;
    }
    if (arg == "--role" || arg == "--comment" || arg == "--public") {
      if (i + 1 >= args.size()) return usage_error("option '" + std::string(arg) + "' needs a value");
      const std::string& value = args[++i];
      if (arg == "--public") return print_public(value);
      if (arg == "--comment") {
        if (value.find('\n') != std::string::npos) return usage_error("a comment is one line");
        comment = value;
        continue;
      }
      role = parse_key_role(value);
      if (!role) return usage_error("option '--role': '" + value + "' is not kiosk, desk, admin or display");
      continue;
    }
    if (arg.starts_with("-")) return usage_error("unknown option '" + std::string(arg) + "'");
    if (name) return usage_error("one NAME only (got '" + *name + "' and '" + std::string(arg) + "')");
    if (arg.empty()) return usage_error("NAME is empty");
    name = std::string(arg);
  }
  if (!name) return usage_error("missing NAME");

  const std::filesystem::path secret_path = *name + ".key";
  const std::filesystem::path public_path = *name + ".pub";
  const CurveKeyPair pair = generate_key_pair();
  if (std::string error = write_key_file(secret_path, pair.secret_key, KeyKind::kSecret, force); !error.empty())
    return fail(error);
  if (std::string error = write_key_file(public_path, pair.public_key, KeyKind::kPublic, force); !error.empty()) {
    // Half a pair is worse than none: the next run would trip over it.
    std::error_code ignored;
    std::filesystem::remove(secret_path, ignored);
    return fail(error);
  }
  if (role) {
    const std::string text = comment.value_or(std::filesystem::path(*name).filename().string());
    std::printf("%s %s%s%s\n", pair.public_key.z85().c_str(), std::string(to_string(*role)).c_str(),
                text.empty() ? "" : " ", text.c_str());
  } else {
    std::printf("%s\n", pair.public_key.z85().c_str());
  }
  std::fprintf(stderr, "opd-keygen: wrote %s (secret, mode 0600) and %s\n", secret_path.c_str(), public_path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
