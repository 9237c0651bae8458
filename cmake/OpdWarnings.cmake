# Warnings are errors on our own code only; third-party headers come in as
# SYSTEM includes through their imported targets, so they cannot break us.
function(opd_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Werror
    # GCC 12 reports a false -Wrestrict inside libstdc++ for chained
    # std::string operator+ at -O3 (GCC bug 105329); it is not our code.
    $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
    # C++20 designated initializers that leave members to their default
    # member initializers are the idiom, not a mistake.
    -Wno-missing-field-initializers)
endfunction()
