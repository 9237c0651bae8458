// What requests queued inside the worker's PULL socket cost in memory
// while the worker is held up (a disk stall): a PULL socket set as the
// worker sets its own (ServiceConfig's default --rcvhwm, the transport
// ceiling), bound on ipc and never read, one PUSH connection filling it.
// Prints the process's resident memory growth per queued message for
// small requests sent one at a time, the same sent back to back, and
// frames at the transport ceiling. The figures back the bounds in
// docs/operations.md (Capacity planning).
//
//   opd_queue_memory [MESSAGES]   (default: the default --rcvhwm)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

#include <zmq.hpp>

#include "opd/worker/protocol.h"
#include "opd/worker/service.h"

namespace {

long resident_kib() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Queues `count` frames of `bytes` into a PULL socket nobody reads and
// returns the resident memory it grew by, in KiB (-1 if the socket did
// not take them all). `pause` between sends
// lets each frame arrive in a read of its own, as a kiosk's requests do.
long queued_kib(int count, std::size_t bytes, std::chrono::microseconds pause) {
  const opd::worker::ServiceConfig defaults;
  zmq::context_t worker_side;
  zmq::socket_t pull(worker_side, zmq::socket_type::pull);
  pull.set(zmq::sockopt::rcvhwm, defaults.rcvhwm);
  pull.set(zmq::sockopt::maxmsgsize, opd::worker::kTransportMaxMessageBytes);
  pull.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "ipc:///tmp/opd-queue-memory-" + std::to_string(getpid());
  pull.bind(endpoint);
  zmq::context_t client_side;
  zmq::socket_t push(client_side, zmq::socket_type::push);
  push.set(zmq::sockopt::sndhwm, count);
  push.set(zmq::sockopt::linger, 0);
  push.connect(endpoint);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // connected

  const long before = resident_kib();
  const std::string body(bytes, 'x');
  for (int i = 0; i < count; ++i) {
    push.send(zmq::buffer(body), zmq::send_flags::none);
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  // Until the socket holds them all (ZMQ_EVENTS says readable long before):
  // the growth stops once the I/O thread has moved everything in.
  long after = resident_kib();
  for (int settled = 0; settled < 5;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long now = resident_kib();
    settled = now == after ? settled + 1 : 0;
    after = now;
  }
  int received = 0;
  zmq::message_t frame;
  while (pull.recv(frame, zmq::recv_flags::dontwait)) ++received;
  pull.unbind(endpoint);
  if (received != count) {
    std::fprintf(stderr, "queued %d of %d frames: the high-water mark stopped the rest\n", received, count);
    return -1;
  }
  return after - before;
}

// Runs one case in a child process of its own, so that memory freed by an
// earlier case and reused by this one does not hide its growth.
bool report(const char* what, int count, std::size_t bytes, std::chrono::microseconds pause) {
  std::fflush(stdout);
  const pid_t child = fork();
  if (child < 0) return false;
  if (child == 0) {
    const long kib = queued_kib(count, bytes, pause);
    if (kib < 0) std::_Exit(1);
    std::printf("%-40s %6d x %6zu bytes: +%8ld KiB resident, %7.1f KiB per message\n", what, count, bytes, kib,
                static_cast<double>(kib) / count);
    std::fflush(stdout);
    std::_Exit(0);
  }
  int status = 0;
  return waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const int count = argc > 1 ? std::atoi(argv[1]) : opd::worker::ServiceConfig{}.rcvhwm;
  if (count <= 0 || count > opd::worker::ServiceConfig{}.rcvhwm) {
    std::fprintf(stderr, "usage: opd_queue_memory [MESSAGES, 1..%d]\n", opd::worker::ServiceConfig{}.rcvhwm);
    return 2;
  }
  constexpr std::size_t kRequest = 200;  // a real request is under 300 bytes
  const auto ceiling = static_cast<std::size_t>(opd::worker::kTransportMaxMessageBytes);
  const int big = std::min(count, 2000);  // 2,000 x 128 KiB is enough to see the rate
  const bool ok = report("requests one at a time (200 us apart)", count, kRequest, std::chrono::microseconds(200)) &&
                  report("requests back to back", count, kRequest, {}) &&
                  report("frames at the transport ceiling", big, ceiling, {});
  return ok ? 0 : 1;
}
