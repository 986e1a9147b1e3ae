# neo_library(NAME SOURCES a.cpp b.cpp DEPS neo::util ...)
#   A static library neo_NAME with alias neo::NAME; include paths are
#   root-relative ("core/util/ids.hpp").
function(neo_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(neo_${name} STATIC ${ARG_SOURCES})
  add_library(neo::${name} ALIAS neo_${name})
  target_include_directories(neo_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(neo_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# neo_executable(NAME SOURCES main.cpp DEPS ...): a program in bin/.
function(neo_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# neo_test(NAME SOURCES x_test.cpp DEPS ... LABELS unit)
#   A Catch2 test program registered with CTest, run from the build
#   directory. It finds its data files (vectors, corpus) in the project's
#   tests/data through neo::test::test_data_dir() (tests/support/test_data.hpp).
function(neo_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE neo_catch_main neo_test_data ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "NEO_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
