# cmake -DPROGRAM= -DARGS= -DPAGE= -DSUMMARY= -DVERSION= -DTEXT= -DMAN= -P help_page.cmake
# Runs `PROGRAM [ARGS] --help`, keeps its output as TEXT and wraps it in a
# man page (MAN): the help text is the manual, so the two never disagree.
execute_process(COMMAND ${PROGRAM} ${ARGS} --help
  RESULT_VARIABLE status OUTPUT_VARIABLE help ERROR_VARIABLE error TIMEOUT 30)
if(NOT status EQUAL 0 OR help STREQUAL "")
  message(FATAL_ERROR "'${PROGRAM} ${ARGS} --help' failed (${status}): ${error}")
endif()
file(WRITE ${TEXT} "${help}")

# roff: a backslash is \e, an option's '-' is \-; a line starting with '.' or "'" would be a
# request, \& in front makes it text.
string(REPLACE "\\" "\\e" body "${help}")
string(REPLACE "-" "\\-" body "${body}")  # a plain '-' may print as a hyphen, not a minus
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" body "${body}")
string(REPLACE "-" "\\-" name "${PAGE}")
string(TOUPPER "${PAGE}" title)
file(WRITE ${MAN} ".TH ${title} 1 \"\" \"opd ${VERSION}\" \"OPD token allocation\"
.SH NAME
${name} \\- ${SUMMARY}
.SH DESCRIPTION
.nf
${body}.fi
.SH SEE ALSO
The operator's manual, operations.md, and the wire protocol, protocol.md,
in the documentation directory (usually /usr/local/share/doc/opd).
")
