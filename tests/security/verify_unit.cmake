# cmake -DANALYZE=<systemd-analyze> -DUNIT=<file> [-DTHRESHOLD=N] -P verify_unit.cmake
# (THRESHOLD in tenths, as --threshold takes it: 20 means an exposure of 2.0)
# Fails unless `systemd-analyze verify` accepts UNIT without a word of
# complaint (it reports unknown or misspelt directives as warnings, exit
# status 0, so its output counts too), and, with THRESHOLD, unless
# `systemd-analyze security --offline` rates its exposure at most that.
if(NOT ANALYZE)
  message(FATAL_ERROR "systemd-analyze was not found when the build was configured: install the 'systemd' "
                      "package (scripts/deps.sh) and re-run cmake; the unit cannot be verified without it")
endif()
if(NOT EXISTS "${UNIT}")
  message(FATAL_ERROR "no unit at ${UNIT}")
endif()
# --man=no: verify would run man(1) for Documentation=man:opd-worker(1),
# which a minimal system lacks; the install test checks the page itself.
execute_process(COMMAND ${ANALYZE} verify --man=no ${UNIT}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT status EQUAL 0 OR NOT err STREQUAL "" OR NOT out STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify ${UNIT}: exit ${status}\n${out}${err}")
endif()
message(STATUS "systemd-analyze verify: ${UNIT} accepted")

if(THRESHOLD)
  execute_process(COMMAND ${ANALYZE} security --offline=yes --threshold=${THRESHOLD} --no-pager ${UNIT}
    RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
  string(REGEX MATCH "Overall exposure level for [^:]+: [0-9.]+ [A-Z]+" level "${out}${err}")
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "systemd-analyze security: exposure above ${THRESHOLD} (${level})\n${out}${err}")
  endif()
  message(STATUS "systemd-analyze security: ${level} (threshold ${THRESHOLD})")
endif()
