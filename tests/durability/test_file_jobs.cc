// The file thread's contract (file_jobs.h): jobs run one at a time in
// submission order, reports come back in that order, a throwing job is a
// failure and not the end of the thread, and destruction finishes the queue.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "opd/durability/file_jobs.h"

using opd::durability::FileJobs;
using opd::durability::JobReport;
using namespace std::chrono_literals;

namespace {

JobReport said(std::string line) {
  JobReport report;
  report.info.push_back(std::move(line));
  return report;
}

}  // namespace

TEST_CASE("file jobs run one at a time, in submission order", "[file_jobs]") {
  FileJobs jobs;
  std::vector<int> order;  // written only by the job thread, read after drain()
  std::atomic<int> running{0};
  std::atomic<bool> overlapped{false};
  for (int i = 0; i < 50; ++i) {
    jobs.submit([&, i] {
      if (running.fetch_add(1) != 0) overlapped = true;
      if (i % 10 == 0) std::this_thread::sleep_for(2ms);  // a slow one must not be overtaken
      order.push_back(i);
      running.fetch_sub(1);
      return said("job " + std::to_string(i));
    });
  }
  jobs.drain();
  CHECK(jobs.pending() == 0);
  CHECK_FALSE(overlapped);
  REQUIRE(order.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
  const auto reports = jobs.collect();
  REQUIRE(reports.size() == 50);
  for (std::size_t i = 0; i < reports.size(); ++i) CHECK(reports[i].info.at(0) == "job " + std::to_string(i));
  CHECK(jobs.collect().empty());
}

TEST_CASE("a job that throws is reported as failed, and the next jobs still run", "[file_jobs]") {
  FileJobs jobs;
  jobs.submit([]() -> JobReport { throw std::runtime_error("disk on fire"); });
  jobs.submit([] { return said("after"); });
  jobs.drain();
  const auto reports = jobs.collect();
  REQUIRE(reports.size() == 2);
  REQUIRE(reports[0].failure);
  CHECK(*reports[0].failure == "disk on fire");
  CHECK_FALSE(reports[1].failure);
  CHECK(reports[1].info.at(0) == "after");
}

TEST_CASE("pending counts a job until it has finished", "[file_jobs]") {
  FileJobs jobs;
  std::atomic<bool> release{false};
  jobs.submit([&] {
    // Bounded: should the test leave before releasing it, FileJobs'
    // destructor (which waits for this job) still returns.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!release && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
    return JobReport{};
  });
  CHECK(jobs.pending() == 1);
  CHECK(jobs.collect().empty());
  release = true;
  jobs.drain();
  CHECK(jobs.pending() == 0);
  CHECK(jobs.collect().size() == 1);
}

TEST_CASE("destroying the file jobs runs what is still queued", "[file_jobs]") {
  std::atomic<int> ran{0};
  {
    FileJobs jobs;
    for (int i = 0; i < 5; ++i)
      jobs.submit([&] {
        std::this_thread::sleep_for(1ms);
        ++ran;
        return JobReport{};
      });
  }
  CHECK(ran == 5);
}

TEST_CASE("the file thread can run below the owner's priority", "[file_jobs]") {
  errno = 0;
  const int mine = ::getpriority(PRIO_PROCESS, 0);
  REQUIRE(errno == 0);
  FileJobs jobs(5);
  int theirs = 0;  // written by the job thread, read after drain()
  jobs.submit([&theirs] {
    theirs = ::getpriority(PRIO_PROCESS, 0);  // per thread on Linux
    return JobReport{};
  });
  jobs.drain();
  CHECK(theirs == std::min(mine + 5, 19));
  CHECK(::getpriority(PRIO_PROCESS, 0) == mine);  // the owner's is unchanged
}
