# Issue 6, deployment and security: CURVE keys and the authorised-keys file,
# the ZAP handler and roles (worker/src/security), sd_notify, and the
# opd-keygen tool. Included by worker/CMakeLists.txt once opd_worker_lib
# exists; paths are absolute so that any directory may include it.
target_sources(opd_worker_lib PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/src/security/roles.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/guarded_file.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/curve_key.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/authorized_keys.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/zap_handler.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/gatekeeper.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/handshake_log.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/security/exposure.cc
  ${CMAKE_CURRENT_LIST_DIR}/src/systemd_notify.cc
)

add_executable(opd-keygen ${CMAKE_CURRENT_LIST_DIR}/tools/keygen.cc)
target_link_libraries(opd-keygen PRIVATE opd::worker)
target_compile_definitions(opd-keygen PRIVATE OPD_VERSION="${PROJECT_VERSION}")
opd_set_warnings(opd-keygen)
