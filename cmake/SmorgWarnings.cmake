# Warnings live on an INTERFACE target that our targets link PRIVATE, so library users never
# inherit them.
add_library(smorg_warnings INTERFACE)
target_compile_options(smorg_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
    -Wold-style-cast -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(SMORG_WARNINGS_AS_ERRORS)
    target_compile_options(smorg_warnings INTERFACE -Werror)
endif()
