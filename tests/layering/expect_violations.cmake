# Proves check_core_includes.cmake can fail: run on a fixture tree with
# known bad includes, it must exit non-zero and report exactly those, and
# none of the fixture's good includes.
#
# Usage: cmake -DCHECKER=<check_core_includes.cmake> -DFIXTURE=<dir> -P expect_violations.cmake
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND "${CMAKE_COMMAND}" -DROOT=${FIXTURE} -P "${CHECKER}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the include check passed a tree with forbidden includes")
endif()

set(expected
  "src/mixed.cc:4: <zmq.hpp>"
  "src/mixed.cc:5: <msgpack.hpp>"
  "src/mixed.cc:6: \"spdlog/spdlog.h\""
  "src/mixed.cc:7: <nlohmann/json.hpp>"
  "src/mixed.cc:8: <chrono>"
  "src/mixed.cc:9: <stdio.h>"
  "src/mixed.cc:10: \"../../outside.h\""
  "src/mixed.cc:13: #include OPD_COMPUTED"
  "include/opd/core/ok.h:3: <random>")
foreach(line IN LISTS expected)
  string(FIND "${all}" "LAYERING VIOLATION: ${line} (" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "expected violation not reported: ${line}")
  endif()
endforeach()
string(REGEX MATCHALL "LAYERING VIOLATION:" reported "${all}")
list(LENGTH reported count)
list(LENGTH expected wanted)
if(NOT count EQUAL wanted)
  message(FATAL_ERROR "reported ${count} violations, expected exactly ${wanted} (a good include was flagged?)")
endif()
message("include check self-test OK: all ${wanted} planted violations reported, nothing else")
