# Warnings live on an INTERFACE target that our targets link PRIVATE, so library users never
# inherit them.
add_library(smorg_warnings INTERFACE)
target_compile_options(smorg_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
if(SMORG_WARNINGS_AS_ERRORS)
    target_compile_options(smorg_warnings INTERFACE -Werror)
endif()
# GCC 12 at -O3 reports impossible -Wrestrict overlaps inside libstdc++'s std::string appends (GCC
# bug 105329: sizes of 2^63 bytes at negative offsets). Every report is inside char_traits.h, never in
# our code, so the check is off for those compilers rather than burying real warnings in noise.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(smorg_warnings INTERFACE -Wno-restrict)
endif()
