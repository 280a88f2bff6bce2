# Warnings live on an INTERFACE target that our targets link PRIVATE, so library users never
# inherit them.
add_library(smorg_warnings INTERFACE)
target_compile_options(smorg_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(SMORG_WARNINGS_AS_ERRORS)
    target_compile_options(smorg_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 reports impossible -Wrestrict overlaps inside std::string concatenation (GCC bug
# 105329); keep the warning visible but not fatal there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(smorg_warnings INTERFACE -Wno-error=restrict)
endif()
