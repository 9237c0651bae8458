# Scans every source and header under ROOT (the core/ directory) and fails
# on any #include that is not
#   - a standard C++ library header, other than those that would bring a
#     clock, randomness, I/O or threads into the core (listed below), or
#   - a quoted include that resolves to a file inside ROOT (relative to the
#     including file, or under ROOT/include).
# Each violation is printed as "LAYERING VIOLATION: <file>:<line>: <header> (<why>)".
#
# Usage: cmake -DROOT=<dir> -P check_core_includes.cmake
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED ROOT OR NOT IS_DIRECTORY "${ROOT}")
  message(FATAL_ERROR "check_core_includes: pass -DROOT=<core directory> (got '${ROOT}')")
endif()
get_filename_component(ROOT "${ROOT}" REALPATH)

set(standard_headers
  # C++ library headers (C++20, plus the C++23 ones g++ may grow into)
  algorithm any array atomic barrier bit bitset charconv chrono codecvt compare complex
  concepts condition_variable coroutine deque exception execution expected filesystem
  flat_map flat_set format forward_list fstream functional future generator
  initializer_list iomanip ios iosfwd iostream istream iterator latch limits list locale
  map mdspan memory memory_resource mutex new numbers numeric optional ostream print
  queue random ranges ratio regex scoped_allocator semaphore set shared_mutex
  source_location span spanstream sstream stack stacktrace stdexcept stdfloat stop_token
  streambuf string string_view strstream syncstream system_error thread tuple
  type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant
  vector version
  # C library wrappers
  cassert cctype cerrno cfenv cfloat cinttypes climits clocale cmath csetjmp csignal
  cstdarg cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype)
# Standard, but the core is deterministic with no clock, no I/O and one
# thread: these have no business there.
set(impure_headers
  chrono ctime random thread future mutex shared_mutex condition_variable stop_token
  semaphore latch barrier atomic iostream fstream cstdio filesystem print syncstream csignal)

file(GLOB_RECURSE files LIST_DIRECTORIES false "${ROOT}/*")
list(FILTER files INCLUDE REGEX "\\.(h|hh|hpp|hxx|c|cc|cpp|cxx|ipp|inc|tcc)$")
list(SORT files)
list(LENGTH files file_count)
if(file_count EQUAL 0)
  message(FATAL_ERROR "check_core_includes: no source files under ${ROOT}")
endif()

set(violations 0)
set(include_count 0)
foreach(file IN LISTS files)
  file(RELATIVE_PATH shown "${ROOT}" "${file}")
  get_filename_component(file_dir "${file}" DIRECTORY)
  file(READ "${file}" content)
  # Make the text safe to split into a CMake list of lines: ';' separates
  # list items and unbalanced brackets stop the splitting.
  string(REPLACE ";" "<sc>" content "${content}")
  string(REPLACE "[" "<lb>" content "${content}")
  string(REPLACE "]" "<rb>" content "${content}")
  string(REPLACE "\n" ";" lines "${content}")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include")
      continue()
    endif()
    math(EXPR include_count "${include_count} + 1")
    set(why "")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>")
      set(header "${CMAKE_MATCH_1}")
      set(shown_header "<${header}>")
      if(NOT header IN_LIST standard_headers)
        set(why "not a standard C++ library header")
      elseif(header IN_LIST impure_headers)
        set(why "standard, but brings a clock, randomness, I/O or threads into the core")
      endif()
    elseif(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      set(header "${CMAKE_MATCH_1}")
      set(shown_header "\"${header}\"")
      set(resolved "")
      foreach(candidate "${file_dir}/${header}" "${ROOT}/include/${header}")
        if(NOT resolved AND EXISTS "${candidate}" AND NOT IS_DIRECTORY "${candidate}")
          get_filename_component(resolved "${candidate}" REALPATH)
        endif()
      endforeach()
      if(NOT resolved)
        set(why "quoted include that is not a file of the core")
      else()
        string(FIND "${resolved}" "${ROOT}/" at)
        if(NOT at EQUAL 0)
          set(why "quoted include resolving outside the core: ${resolved}")
        endif()
      endif()
    else()
      string(STRIP "${line}" shown_header)
      set(why "computed or malformed include")
    endif()
    if(why)
      message("LAYERING VIOLATION: ${shown}:${number}: ${shown_header} (${why})")
      math(EXPR violations "${violations} + 1")
    endif()
  endforeach()
endforeach()

if(include_count EQUAL 0)
  message(FATAL_ERROR "check_core_includes: no #include found in ${file_count} files under ${ROOT}")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "${violations} layering violation(s) in ${ROOT}: the core may include only the standard library and itself")
endif()
message("core includes OK: ${include_count} includes in ${file_count} files, standard library and core only")
