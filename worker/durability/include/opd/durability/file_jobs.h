// File work the worker's loop must not wait for (writing and fsyncing a
// snapshot, removing the journal segments it made redundant, writing a
// closed day's report), run on one thread of its own.
//
// Contract of the thread:
// - Ordering: jobs run one at a time, in the order they were submitted, and
//   each runs to completion before the next starts. A job that must follow
//   another (removing segments only once the snapshot covering them is
//   durable) is the same job or submitted after it; nothing else orders it.
// - Ownership: a job owns everything it captures (its bytes, the file names
//   it was given). It must not touch anything the submitting thread keeps
//   using: not the Journal, not the Engine, not a logger (the worker's
//   sinks are single-threaded). What it has to say goes in its JobReport.
// - Thread-safety: submit(), collect(), pending() and drain() are for the one
//   thread that owns the FileJobs (the worker's loop). The queue between
//   that thread and the job thread is guarded by one mutex, held only to
//   move a job or a report in or out, never while a job runs.
// - Lifetime: the destructor runs every job still queued, then joins. A job
//   that throws is reported as failed; the thread carries on.
// - Priority: the thread may lower its own (nice), so that on a small
//   machine its CPU work (a day report's JSON) never takes a core from the
//   loop; its file work is waiting on the disk, not competing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace opd::durability {

struct JobReport {
  std::vector<std::string> info;      // what happened, for the log
  std::vector<std::string> warnings;  // what went wrong without harming what is kept
  // Set when the job could not do what durability relies on (a snapshot
  // not written: disk full, I/O error). The owner decides what that means.
  std::optional<std::string> failure;
};

class FileJobs {
 public:
  using Job = std::function<JobReport()>;

  // Starts the thread, at `nice_increment` above the caller's nice value
  // (best effort: a sandbox that refuses it leaves the thread as it is).
  explicit FileJobs(int nice_increment = 0);
  ~FileJobs();
  FileJobs(const FileJobs&) = delete;
  FileJobs& operator=(const FileJobs&) = delete;

  void submit(Job job);
  // Reports of the jobs finished since the last call, in submission order.
  [[nodiscard]] std::vector<JobReport> collect();
  // Jobs submitted and not yet finished (the one running included).
  [[nodiscard]] std::size_t pending() const;
  // Waits until every job submitted so far has finished.
  void drain();

 private:
  void run(int nice_increment);

  mutable std::mutex mutex_;
  std::condition_variable wake_;  // a job queued, or stopping
  std::condition_variable done_;  // a job finished
  std::deque<Job> queue_;
  std::vector<JobReport> reports_;
  std::size_t unfinished_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace opd::durability
