# Finds msgpack-cxx and sets opd_msgpack_target to its imported target.
# Included by worker/ and tests/worker/ (imported targets are directory-scoped).
#
# Debian 12 ships msgpack-cxx 4.1 with a config named msgpack-config.cmake and
# an imported target msgpackc-cxx; newer upstream releases name both
# msgpack-cxx. Accept either, so a distribution upgrade does not break us.
find_package(msgpack-cxx CONFIG QUIET)
if(TARGET msgpack-cxx)
  set(opd_msgpack_target msgpack-cxx)
else()
  find_package(msgpack CONFIG REQUIRED)
  set(opd_msgpack_target msgpackc-cxx)
endif()
