#include "opd/durability/file_jobs.h"

#include <unistd.h>

#include <exception>
#include <utility>

namespace opd::durability {

FileJobs::FileJobs(int nice_increment) : thread_([this, nice_increment] { run(nice_increment); }) {}

FileJobs::~FileJobs() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void FileJobs::submit(Job job) {
  {
    const std::lock_guard lock(mutex_);
    queue_.push_back(std::move(job));
    ++unfinished_;
  }
  wake_.notify_one();
}

std::vector<JobReport> FileJobs::collect() {
  std::vector<JobReport> out;
  const std::lock_guard lock(mutex_);
  out.swap(reports_);
  return out;
}

std::size_t FileJobs::pending() const {
  const std::lock_guard lock(mutex_);
  return unfinished_;
}

void FileJobs::drain() {
  std::unique_lock lock(mutex_);
  done_.wait(lock, [this] { return unfinished_ == 0; });
}

void FileJobs::run(int nice_increment) {
  // On Linux the nice value is per thread: this lowers only this one. A
  // refusal (a sandbox) changes nothing but the politeness.
  if (nice_increment != 0) {
    [[maybe_unused]] const int niced = ::nice(nice_increment);
  }
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    // Stopping still runs what is queued: a snapshot handed over is written.
    if (queue_.empty()) return;
    Job job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    JobReport report;
    try {
      report = job();
    } catch (const std::exception& e) {
      report.failure = e.what();
    } catch (...) {
      report.failure = "unknown exception";
    }
    job = nullptr;  // its captures (a snapshot's bytes) go now, not at the next job
    lock.lock();
    reports_.push_back(std::move(report));
    --unfinished_;
    done_.notify_all();
  }
}

}  // namespace opd::durability
