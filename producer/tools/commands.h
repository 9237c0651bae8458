// The subcommands of opd-producer. Each takes the arguments after its name
// and returns the process exit code (cli.h); usage problems are thrown as
// UsageError and reported by main().
#pragma once

#include "producer/tools/cli.h"

namespace opd::tools {

[[nodiscard]] int run_send(ArgReader& args);
[[nodiscard]] int run_simulate(ArgReader& args);
[[nodiscard]] int run_load(ArgReader& args);
[[nodiscard]] int run_query(ArgReader& args);
[[nodiscard]] int run_relay(ArgReader& args);

}  // namespace opd::tools
