// `cmake --install` into a temporary prefix yields a working installation:
// the programs, their help texts and man pages, the example schedule, the
// documentation, and a systemd unit that names the installed worker and
// passes `systemd-analyze verify`. The installed worker then really serves
// (CURVE on, keys made by the installed opd-keygen) and stops cleanly.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include <catch2/catch.hpp>

#include "secure_fixture.h"

using namespace opd::worker::test;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool wait_for_log(ChildProcess& child, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (child.err_so_far().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("cmake --install into a temporary prefix yields a working worker", "[security][install]") {
  TempDir prefix_dir;
  const fs::path prefix = prefix_dir.path() + "/usr";
  const auto install = run_process({OPD_CMAKE_COMMAND, "--install", OPD_BUILD_DIR, "--prefix", prefix.string()}, 120s);
  INFO(install.out << install.err);
  REQUIRE(install.exit_code == 0);

  const fs::path bin = prefix / "bin";
  for (const char* program : {"opd-worker", "opd-keygen", "opd-producer", "opd-display", "opd-core-day"}) {
    INFO(program);
    CHECK(fs::is_regular_file(bin / program));
    CHECK(fs::is_regular_file(prefix / "share/man/man1" / (std::string(program) + ".1")));
    CHECK(fs::is_regular_file(prefix / "share/doc/opd/help" / (std::string(program) + ".txt")));
  }
  CHECK(slurp(prefix / "share/opd/schedule.example.json") == slurp(OPD_EXAMPLE_SCHEDULE));
  for (const char* doc : {"README.md", "operations.md", "protocol.md", "examples/opd-worker.env",
                          "examples/authorized_keys.example"})
    CHECK(fs::is_regular_file(prefix / "share/doc/opd" / doc));

  SECTION("the installed worker runs and its help text is the installed one") {
    const auto version = run_process({(bin / "opd-worker").string(), "--version"}, kWait);
    CHECK(version.exit_code == 0);
    CHECK(version.out == "opd-worker " OPD_VERSION " (wire protocol v1)\n");
    const auto help = run_process({(bin / "opd-worker").string(), "--help"}, kWait);
    CHECK(help.exit_code == 0);
    CHECK(slurp(prefix / "share/doc/opd/help/opd-worker.txt") == help.out);
    const std::string man = slurp(prefix / "share/man/man1/opd-worker.1");
    CHECK(man.starts_with(".TH OPD-WORKER 1"));
    CHECK(man.find("\\-\\-curve\\-secret\\-key\\-file") != std::string::npos);
  }

  SECTION("the installed unit names the installed worker and passes systemd-analyze verify") {
    const std::string unit = (prefix / "lib/systemd/system/opd-worker.service").string();
    const std::string text = slurp(unit);
    CHECK(text.find("\nExecStart=" + (bin / "opd-worker").string() + " --data-dir=%S/opd") != std::string::npos);
    CHECK(text.find("@OPD_") == std::string::npos);
    // What issue 6 asks of the unit (systemd-analyze checks the syntax, not this).
    for (const char* directive :
         {"\nType=notify\n", "\nDynamicUser=yes\n", "\nStateDirectory=opd\n", "\nNoNewPrivileges=yes\n",
          "\nProtectSystem=strict\n", "\nUMask=0077\n", "\nRestart=on-failure\n", "\nLimitNOFILE=65536\n",
          "\nExecReload=/bin/kill -HUP $MAINPID\n", "\nLoadCredential=server.key:/etc/opd/server.key\n"}) {
      INFO(directive);
      CHECK(text.find(directive) != std::string::npos);
    }
    const std::string analyze = OPD_SYSTEMD_ANALYZE;
    if (analyze.empty())
      FAIL("systemd-analyze was not found when the build was configured: install the 'systemd' package "
           "(scripts/deps.sh) and re-run cmake; the unit cannot be verified without it");
    // --man=no: man(1) may be missing; the page is checked above.
    const auto verify = run_process({analyze, "verify", "--man=no", unit}, 60s);
    INFO(verify.out << verify.err);
    CHECK(verify.exit_code == 0);
    CHECK(verify.err.empty());
  }

  SECTION("the installed worker serves with CURVE and stops on SIGTERM") {
    const fs::path etc = prefix_dir.path() + "/etc";
    fs::create_directories(etc);
    const auto server = run_process({(bin / "opd-keygen").string(), (etc / "server").string()}, kWait);
    REQUIRE(server.exit_code == 0);
    const auto office =
        run_process({(bin / "opd-keygen").string(), "--role", "admin", (etc / "office").string()}, kWait);
    REQUIRE(office.exit_code == 0);
    { std::ofstream(etc / "authorized_keys") << office.out; }

    const auto read_key = [](const fs::path& path, opd::worker::security::KeyKind kind) {
      auto load = opd::worker::security::read_key_file(path, kind);
      INFO(load.error);
      REQUIRE(load.key.has_value());
      return *load.key;
    };
    const CurveKey server_public = read_key(etc / "server.pub", opd::worker::security::KeyKind::kPublic);
    const CurveKeyPair office_pair{read_key(etc / "office.pub", opd::worker::security::KeyKind::kPublic),
                                   read_key(etc / "office.key", opd::worker::security::KeyKind::kSecret)};

    const std::string run = prefix_dir.path();
    ChildProcess worker({(bin / "opd-worker").string(), "--requests", "ipc://" + run + "/r", "--events",
                         "ipc://" + run + "/e", "--queries", "ipc://" + run + "/q", "--data-dir", run + "/data",
                         "--schedule", (prefix / "share/opd/schedule.example.json").string(),
                         "--curve-secret-key-file", (etc / "server.key").string(), "--authorized-keys",
                         (etc / "authorized_keys").string()});
    REQUIRE(wait_for_log(worker, "serving:"));
    zmq::context_t context(1);
    SecureQuerier querier(context, "ipc://" + run + "/q", std::pair{server_public, office_pair});
    const auto health = querier.ask(Body().set("type", "health"));
    REQUIRE(health.has_value());
    CHECK(health->str("status") == "ok");
    const auto board = querier.ask(Body().set("type", "snapshot").set("doctor_id", "GEN-1"));
    REQUIRE(board.has_value());
    CHECK(board->str("doctor_id") == "GEN-1");

    const auto start = std::chrono::steady_clock::now();
    worker.signal(SIGTERM);
    const auto exit = worker.wait(kWait);
    CHECK(exit.exit_code == 0);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
  }
}
