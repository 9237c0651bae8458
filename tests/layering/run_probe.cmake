# Proves the configure-time layering check works: configures the probe
# project once per case in one scratch build directory (so the compiler is
# detected once) and expects the clean case to configure and every case
# that adds a dependency to opd_core to fail with the check's message.
#
# Usage: cmake -DOPD_SOURCE_DIR=<repo> -DPROBE_DIR=<probe> -DWORK_DIR=<scratch>
#              -DGENERATOR=<generator> -DCXX=<compiler> -P run_probe.cmake
cmake_minimum_required(VERSION 3.25)
set(message_text "opd_core must depend on nothing but the standard library")
set(bad_cases
  private_library public_imported_target interface_library directory_link_libraries
  link_option link_directory include_directory)

file(REMOVE_RECURSE "${WORK_DIR}")

function(configure_case case result_var output_var)
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -S "${PROBE_DIR}" -B "${WORK_DIR}" -G "${GENERATOR}"
            "-DCMAKE_CXX_COMPILER=${CXX}" "-DOPD_SOURCE_DIR=${OPD_SOURCE_DIR}" "-DOPD_PROBE_CASE=${case}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${result_var} "${rc}" PARENT_SCOPE)
  set(${output_var} "${out}${err}" PARENT_SCOPE)
endfunction()

# The clean core must configure, before and after the bad cases: a failure
# below is then the check's doing, not a broken probe.
foreach(case none ${bad_cases} none)
  configure_case(${case} rc output)
  if(case STREQUAL "none")
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "the probe failed to configure the clean core:\n${output}")
    endif()
    message("case none: configured, as expected")
  else()
    string(FIND "${output}" "${message_text}" at)
    if(rc EQUAL 0 OR at EQUAL -1)
      message(FATAL_ERROR "case ${case}: a dependency was added to opd_core and the configure did not fail "
                          "with the layering message (exit ${rc}):\n${output}")
    endif()
    message("case ${case}: configure failed with the layering message, as expected")
  endif()
endforeach()
file(REMOVE_RECURSE "${WORK_DIR}")
list(LENGTH bad_cases n)
message("layering probe OK: ${n} kinds of dependency on opd_core each fail the configure")
