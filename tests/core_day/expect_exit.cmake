# Runs COMMAND (a ;-list) and passes only if it exits with EXIT_CODE and its
# output (stdout and stderr) matches OUTPUT_REGEX. A crash or any other exit
# status fails, unlike WILL_FAIL.
#
# Usage: cmake "-DCOMMAND=prog;arg" -DEXIT_CODE=2 "-DOUTPUT_REGEX=..." -P expect_exit.cmake
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND ${COMMAND} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXIT_CODE}")
  message(FATAL_ERROR "exit status '${rc}', expected ${EXIT_CODE}")
endif()
if(NOT "${out}${err}" MATCHES "${OUTPUT_REGEX}")
  message(FATAL_ERROR "output does not match '${OUTPUT_REGEX}'")
endif()
