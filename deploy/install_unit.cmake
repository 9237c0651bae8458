# Run by `cmake --install` (install(CODE) in deploy/CMakeLists.txt): writes
# opd-worker.service with the paths of this installation. Here
# CMAKE_INSTALL_PREFIX is the prefix in effect (--prefix included), without
# DESTDIR, which is where the files will live once packaged.
function(opd_absolute out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

opd_absolute(bindir "${OPD_BINDIR}")
opd_absolute(unitdir "${OPD_UNIT_DIR}")
opd_absolute(OPD_DOC_DIR "${OPD_DOCDIR}")
set(OPD_WORKER_BIN "${bindir}/opd-worker")
set(unit "$ENV{DESTDIR}${unitdir}/opd-worker.service")
message(STATUS "Installing: ${unit}")
configure_file("${OPD_UNIT_TEMPLATE}" "${unit}" @ONLY)
list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${unit}")
