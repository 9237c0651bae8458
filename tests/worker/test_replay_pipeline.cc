// ReplayPipeline: requests pushed from one thread and applied on another
// reach the engine in push order, all of them, whatever the batch
// boundaries; an abandoned pipeline stops, having applied whole batches only.
#include <catch2/catch.hpp>

#include "opd/core/engine.h"
#include "random_requests.h"
#include "replay_pipeline.h"

namespace opd::worker {
namespace {

TEST_CASE("the pipeline applies every request in order, as a direct apply_quietly would", "[replay]") {
  // Enough requests for the batches to wrap around their ring many times,
  // and a count that leaves the last batch partly filled.
  const int count = GENERATE(0, 1, 1023, 1024, 1025, 20'001);
  test::RandomRequests gen(77, 10, 4);
  const Schedule schedule = gen.schedule();
  Engine direct(schedule);
  Engine piped(schedule);
  {
    ReplayPipeline pipeline(piped);
    for (int i = 0; i < count; ++i) {
      Request r = gen.next();
      gen.observe(r, direct.apply(r));
      pipeline.push(std::move(r));
    }
    pipeline.finish();
  }
  CHECK(piped.dump() == direct.dump());
  CHECK(piped.check_invariants().empty());
}

TEST_CASE("a pipeline dropped without finish() stops its thread, having applied whole batches only", "[replay]") {
  // What a recovery that throws midway does: the destructor must not wait
  // for, or apply, what is still queued. Hanging here fails by timeout.
  // 5,000 requests: four batches of 1,024 handed over (applied or not by
  // the time the destructor stops the thread), 904 never handed over.
  constexpr int kCount = 5'000;
  test::RandomRequests gen(78, 4, 3);
  const Schedule schedule = gen.schedule();
  std::vector<Request> requests;
  for (int i = 0; i < kCount; ++i) requests.push_back(gen.next());
  // The state after each whole number of batches, and after all of them.
  std::vector<std::string> after_batches;
  Engine reference(schedule);
  for (int i = 0; i <= kCount; ++i) {
    if (i % 1024 == 0) after_batches.push_back(reference.dump());
    if (i < kCount) reference.apply_quietly(requests[static_cast<std::size_t>(i)]);
  }
  const std::string after_all = reference.dump();
  REQUIRE(after_batches.size() == 5);

  Engine engine(schedule);
  {
    ReplayPipeline pipeline(engine);
    for (const auto& request : requests) pipeline.push(Request(request));
  }
  CHECK(engine.check_invariants().empty());
  const std::string dump = engine.dump();
  CHECK(dump != after_all);
  CHECK(std::find(after_batches.begin(), after_batches.end(), dump) != after_batches.end());
}

}  // namespace
}  // namespace opd::worker
