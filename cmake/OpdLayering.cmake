# The core must stay standard-library only: it is the part we replay, test
# exhaustively and might embed elsewhere. Any dependency added to it is a
# configure error, not a review comment. tests/layering proves this check
# fires, and separately scans core/ for non-standard #includes.
#
# Checked on opd_core, after every directory has been added:
# - LINK_LIBRARIES / INTERFACE_LINK_LIBRARIES: must be empty;
# - LINK_OPTIONS / INTERFACE_LINK_OPTIONS: no -l<lib>, -L<dir> or library
#   file (a directory-wide sanitizer flag such as -fsanitize=... is fine);
# - LINK_DIRECTORIES / INTERFACE_LINK_DIRECTORIES: must be empty;
# - INCLUDE_DIRECTORIES / INTERFACE_INCLUDE_DIRECTORIES: only inside core/.
function(opd_check_layering)
  if(NOT TARGET opd_core)
    message(FATAL_ERROR "opd_check_layering: target opd_core does not exist")
  endif()
  get_target_property(core_dir opd_core SOURCE_DIR)
  set(problems "")

  foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES LINK_DIRECTORIES INTERFACE_LINK_DIRECTORIES)
    get_target_property(values opd_core ${property})
    if(values)
      list(APPEND problems "${property} = '${values}'")
    endif()
  endforeach()

  foreach(property LINK_OPTIONS INTERFACE_LINK_OPTIONS)
    get_target_property(values opd_core ${property})
    if(NOT values)
      continue()
    endif()
    foreach(option IN LISTS values)
      if(option MATCHES "^-[lL]" OR option MATCHES "^-Wl,.*-l" OR option MATCHES "\\.(a|so|so\\..*)$")
        list(APPEND problems "${property} has '${option}'")
      endif()
    endforeach()
  endforeach()

  foreach(property INCLUDE_DIRECTORIES INTERFACE_INCLUDE_DIRECTORIES)
    get_target_property(values opd_core ${property})
    if(NOT values)
      continue()
    endif()
    foreach(dir IN LISTS values)
      string(FIND "${dir}" "${core_dir}/" at)
      if(NOT at EQUAL 0)
        list(APPEND problems "${property} has '${dir}', outside ${core_dir}")
      endif()
    endforeach()
  endforeach()

  if(problems)
    list(JOIN problems "; " text)
    message(FATAL_ERROR "opd_core must depend on nothing but the standard library: ${text}")
  endif()
endfunction()
