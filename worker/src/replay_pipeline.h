// Start-up replay on two threads. The recovering thread reads, checks and
// decodes journal records and push()es the requests; a second thread
// applies them to the engine (Engine::apply_quietly), in push order, while
// the next ones are decoded. Reading and decoding cost about as much as
// applying, so on two cores a restart takes about half as long.
//
// Thread-safety: push() and finish() are for the one thread that created
// the pipeline. Until finish() returns, the engine belongs to the
// applying thread: the creator must not touch it (the hand-over of each
// batch orders the creator's earlier writes, e.g. a loaded snapshot,
// before the applier's reads).
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "opd/core/engine.h"
#include "opd/core/request.h"

namespace opd::worker {

class ReplayPipeline {
 public:
  // Starts the applying thread. `engine` must outlive the pipeline.
  explicit ReplayPipeline(Engine& engine);
  // Stops the applying thread without applying what is still queued (after
  // finish(), nothing is): for a recovery abandoned by an exception.
  ~ReplayPipeline();
  ReplayPipeline(const ReplayPipeline&) = delete;
  ReplayPipeline& operator=(const ReplayPipeline&) = delete;

  // Queues one request to be applied after every earlier one. Blocks while
  // the applier is a few batches behind. Rethrows what the applier threw.
  void push(Request&& request);
  // Returns once every pushed request has been applied; rethrows what the
  // applier threw. The engine is the caller's again afterwards.
  void finish();

 private:
  static constexpr std::size_t kBatchSize = 1024;
  static constexpr std::size_t kBatches = 4;

  void hand_over_batch();  // the batch being filled goes to the applier
  void apply_batches();    // the applying thread's loop
  void rethrow_if_failed();  // REQUIRES: mutex_ held

  Engine& engine_;
  std::array<std::vector<Request>, kBatches> batches_;
  std::array<std::size_t, kBatches> batch_sizes_{};
  std::size_t filling_ = 0;  // requests in the batch being filled (pusher only)

  std::mutex mutex_;
  std::condition_variable work_;  // the applier waits for a batch or the end
  std::condition_variable room_;  // the pusher waits for a free batch or the end
  // Batches handed over and batches applied since the start; the batch in
  // use is number % kBatches.
  std::uint64_t handed_over_ = 0;
  std::uint64_t applied_ = 0;
  bool stopping_ = false;
  std::exception_ptr failure_;
  std::thread applier_;  // last: started once everything above exists
};

}  // namespace opd::worker
