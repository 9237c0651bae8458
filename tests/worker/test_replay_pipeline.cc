// ReplayPipeline: requests pushed from one thread and applied on another
// reach the engine in push order, all of them, whatever the batch
// boundaries; an abandoned pipeline stops without applying the rest.
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

TEST_CASE("a pipeline dropped without finish() stops its thread", "[replay]") {
  // What a recovery that throws midway does: the destructor must not wait
  // for, or apply, what is still queued. Hanging here fails by timeout.
  test::RandomRequests gen(78, 4, 3);
  Engine engine(gen.schedule());
  {
    ReplayPipeline pipeline(engine);
    for (int i = 0; i < 5'000; ++i) pipeline.push(gen.next());
  }
  CHECK(engine.check_invariants().empty());
}

}  // namespace
}  // namespace opd::worker
