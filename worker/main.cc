// opd-worker: parse flags, load the schedule, serve until SIGTERM/SIGINT.
// Everything else lives in opd_worker_lib, where the tests can reach it.
#include <cstdio>
#include <exception>
#include <string>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "opd/worker/logging.h"
#include "opd/worker/options.h"
#include "opd/worker/schedule_json.h"
#include "opd/worker/service.h"
#include "opd/worker/signals.h"
#include "opd/worker/systemd_notify.h"

namespace {

int fail(const std::string& message) {
  std::fprintf(stderr, "opd-worker: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace opd::worker;
  const std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_options(args);
  if (auto* exit = std::get_if<Exit>(&parsed)) {
    std::fputs(exit->text.c_str(), exit->exit_code == 0 ? stdout : stderr);
    return exit->exit_code;
  }
  const Options& options = std::get<Options>(parsed);

  const ScheduleLoad load = options.schedule_file
                                ? load_schedule_file(*options.schedule_file)
                                : parse_schedule_json(default_schedule_json(), kDefaultScheduleOrigin);
  if (!load.schedule) return fail(load.error);

  try {
    // Before the ZeroMQ context exists: its I/O threads inherit the mask.
    ShutdownSignals signals;
    auto log = make_stderr_logger(options.log_level);
    std::size_t slots = 0;
    for (const auto& doctor : load.schedule->doctors) slots += doctor.slots.size();
    if (options.persistence.fsync == FsyncMode::kNever)
      log->warn("--fsync never: acknowledged requests can be lost in a power cut or kernel crash (tests and benchmarks only)");
    log->info("{}: {} doctors, {} slots; preemption {}, auto-create-slots {}",
              options.schedule_file.value_or(std::string(kDefaultScheduleOrigin)),
              load.schedule->doctors.size(), slots, opd::to_string(options.engine.preemption),
              options.engine.auto_create_slots);

    zmq::context_t context(1);
    Service service(context, *load.schedule,
                    ServiceConfig{.requests_endpoint = options.requests,
                                  .events_endpoint = options.events,
                                  .queries_endpoint = options.queries,
                                  .engine = options.engine,
                                  .sndhwm = options.sndhwm,
                                  .rcvhwm = options.rcvhwm,
                                  .persistence = options.persistence,
                                  .curve = options.curve,
                                  .signal_fd = signals.fd(),
                                  .logger = log});
    // Recovered and bound: systemd (Type=notify) may now count us started.
    (void)notify_systemd("READY=1");
    service.run();
    (void)notify_systemd("STOPPING=1");
    return 0;
  } catch (const PersistenceFailure& e) {
    std::fprintf(stderr, "opd-worker: %s\n", e.what());
    return kExitPersistFailure;
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}
