# A CPack pre-build script (cmake/SmorgPackage.cmake): moves the Python package from where
# `cmake --install` put it in the staging folder (SMORG_PYTHON_INSTALL_DIR, the place for
# /usr/local) to where Debian's python3 finds it under /usr. Its extension finds libsmorg.so
# through a RUNPATH relative to itself, so the new folder must be as deep below the prefix as the
# old one; the script refuses otherwise.

set(prefix "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_PACKAGING_INSTALL_PREFIX}")
set(from "${prefix}/${CPACK_SMORG_PYTHON_INSTALL_DIR}/smorg")
set(to "${prefix}/${CPACK_SMORG_PYTHON_PACKAGE_DIR}/smorg")
if(from STREQUAL to)
    return()
endif()
if(NOT IS_DIRECTORY "${from}")
    message(FATAL_ERROR "smorg package: the Python package is not at ${CPACK_SMORG_PYTHON_INSTALL_DIR}/smorg "
                        "in the staging folder (was the build's Python module installed?)")
endif()
file(RELATIVE_PATH from_libdir "${from}" "${prefix}/${CPACK_SMORG_LIBDIR}")
file(RELATIVE_PATH to_libdir "${to}" "${prefix}/${CPACK_SMORG_LIBDIR}")
if(NOT from_libdir STREQUAL to_libdir)
    message(FATAL_ERROR "smorg package: the Python extension's RUNPATH ($ORIGIN/${from_libdir}) would not "
                        "reach ${CPACK_SMORG_LIBDIR} from ${CPACK_SMORG_PYTHON_PACKAGE_DIR}/smorg")
endif()
get_filename_component(to_parent "${to}" DIRECTORY)
file(MAKE_DIRECTORY "${to_parent}")
file(RENAME "${from}" "${to}")
# Drop the folders the move left empty (lib/python3.X/dist-packages, lib/python3.X).
get_filename_component(dir "${from}" DIRECTORY)
while(NOT dir STREQUAL prefix)
    file(GLOB left "${dir}/*")
    if(left)
        break()
    endif()
    file(REMOVE_RECURSE "${dir}")
    get_filename_component(dir "${dir}" DIRECTORY)
endwhile()
