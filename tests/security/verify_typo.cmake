# cmake -DANALYZE= -DUNIT= -DWORK_DIR= -DVERIFY=verify_unit.cmake -P verify_typo.cmake
# Proves verify_unit.cmake can fail: UNIT with "UMask=" misspelt must be
# refused, for the misspelling.
if(NOT ANALYZE)
  message(FATAL_ERROR "systemd-analyze was not found when the build was configured: install the 'systemd' "
                      "package (scripts/deps.sh) and re-run cmake")
endif()
file(READ "${UNIT}" text)
string(REPLACE "\nUMask=" "\nUMaks=" broken "${text}")
if(broken STREQUAL text)
  message(FATAL_ERROR "${UNIT} has no UMask= line to misspell")
endif()
set(typo "${WORK_DIR}/opd-worker-typo.service")
file(WRITE "${typo}" "${broken}")
execute_process(COMMAND ${CMAKE_COMMAND} -DANALYZE=${ANALYZE} -DUNIT=${typo} -P ${VERIFY}
  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
if(status EQUAL 0)
  message(FATAL_ERROR "verify_unit.cmake accepted a unit with 'UMaks=':\n${out}${err}")
endif()
# CMake wraps long messages, so the phrase may be split across lines.
string(REGEX REPLACE "[ \t\r\n]+" " " flat "${err}")
if(NOT flat MATCHES "Unknown key( name)? 'UMaks'")
  message(FATAL_ERROR "verify_unit.cmake refused the misspelt unit, but not for the misspelling:\n${out}${err}")
endif()
message(STATUS "the misspelt unit was refused: ${err}")
