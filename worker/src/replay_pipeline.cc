#include "replay_pipeline.h"

#include <utility>

namespace opd::worker {

ReplayPipeline::ReplayPipeline(Engine& engine) : engine_(engine) {
  for (auto& batch : batches_) batch.resize(kBatchSize);
  applier_ = std::thread([this] { apply_batches(); });
}

ReplayPipeline::~ReplayPipeline() {
  if (!applier_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  work_.notify_one();
  applier_.join();
}

void ReplayPipeline::push(Request&& request) {
  if (filling_ == kBatchSize) hand_over_batch();
  // Only the pusher changes handed_over_, so it may read it unlocked; the
  // batch it names is free (hand_over_batch waited for that).
  batches_[handed_over_ % kBatches][filling_++] = std::move(request);
}

void ReplayPipeline::finish() {
  if (filling_ > 0) hand_over_batch();
  std::unique_lock lock(mutex_);
  room_.wait(lock, [this] { return applied_ == handed_over_ || failure_; });
  rethrow_if_failed();
  stopping_ = true;
  lock.unlock();
  work_.notify_one();
  applier_.join();
}

void ReplayPipeline::hand_over_batch() {
  std::unique_lock lock(mutex_);
  rethrow_if_failed();
  batch_sizes_[handed_over_ % kBatches] = filling_;
  ++handed_over_;
  filling_ = 0;
  work_.notify_one();
  // The next batch to fill must have been applied.
  room_.wait(lock, [this] { return handed_over_ - applied_ < kBatches || failure_; });
  rethrow_if_failed();
}

void ReplayPipeline::apply_batches() {
  std::unique_lock lock(mutex_);
  while (true) {
    work_.wait(lock, [this] { return stopping_ || applied_ < handed_over_; });
    // finish() stops only once all is applied; the destructor abandons the rest.
    if (stopping_) return;
    const auto& batch = batches_[applied_ % kBatches];
    const std::size_t size = batch_sizes_[applied_ % kBatches];
    lock.unlock();
    try {
      for (std::size_t i = 0; i < size; ++i) engine_.apply_quietly(batch[i]);
    } catch (...) {
      lock.lock();
      failure_ = std::current_exception();
      room_.notify_one();
      return;
    }
    lock.lock();
    ++applied_;
    room_.notify_one();
  }
}

void ReplayPipeline::rethrow_if_failed() {
  if (failure_) std::rethrow_exception(failure_);
}

}  // namespace opd::worker
