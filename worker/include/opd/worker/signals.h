// SIGTERM, SIGINT (stop) and SIGHUP (reload the authorised keys) as a file
// descriptor the service loop polls next to its sockets, so they are
// handled between batches like any other input, never by a handler
// interrupting a half-applied batch.
#pragma once

namespace opd::worker {

class ShutdownSignals {
 public:
  // Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and opens a
  // signalfd for them. Construct before any other thread exists (the ZeroMQ
  // context starts I/O threads): threads inherit the mask, and a thread that
  // left the signals unblocked would let them kill the process. Throws
  // std::system_error when the descriptor cannot be created.
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Readable once a signal is pending; read a struct signalfd_siginfo from it.
  [[nodiscard]] int fd() const noexcept { return fd_; }

 private:
  int fd_ = -1;
};

}  // namespace opd::worker
