# The core must stay standard-library only: it is the part we replay, test
# exhaustively and might embed elsewhere. Any link dependency added to it is
# a configure error, not a review comment.
function(opd_check_layering)
  foreach(property LINK_LIBRARIES INTERFACE_LINK_LIBRARIES)
    get_target_property(deps opd_core ${property})
    if(deps)
      message(FATAL_ERROR
        "opd_core must link nothing but the standard library; ${property} = '${deps}'")
    endif()
  endforeach()
endfunction()
