# One version string: the project version plus `git describe` when available,
# regenerated at every build (only rewritten when it changes, so no needless relinks).
set(FXS_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/fxs_version.cpp)
add_custom_target(fxs_version_gen
  BYPRODUCTS ${FXS_VERSION_CPP}
  COMMAND ${CMAKE_COMMAND}
    -DOUT=${FXS_VERSION_CPP}
    -DBASE=${PROJECT_VERSION}
    -DSRC=${CMAKE_SOURCE_DIR}
    -P ${CMAKE_CURRENT_LIST_DIR}/WriteVersion.cmake
  COMMENT "Version string"
  VERBATIM)
