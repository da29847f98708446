# Dependency rule for text/ (run by ctest as text.dependency_rule): text/ may include the
# standard library, ICU, OpenCC and domain/result.h, and never store/, service/, api/, app/
# or geo/.
file(GLOB_RECURSE sources "${TEXT_DIR}/*.h" "${TEXT_DIR}/*.cc")
set(violations "")
foreach(source ${sources})
  file(STRINGS "${source}" includes REGEX "^#include \"")
  foreach(line ${includes})
    if(line MATCHES "^#include \"(store|service|api|app|geo|web)/" OR
       (line MATCHES "^#include \"domain/" AND NOT line MATCHES "^#include \"domain/result\\.h\""))
      list(APPEND violations "${source}: ${line}")
    endif()
  endforeach()
endforeach()
if(violations)
  list(JOIN violations "\n" message)
  message(FATAL_ERROR "text/ breaks its dependency rule:\n${message}")
endif()
message(STATUS "text/ dependency rule holds (${CMAKE_CURRENT_LIST_FILE})")
