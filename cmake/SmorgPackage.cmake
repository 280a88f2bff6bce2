# The Debian package: `make package` (cpack -G DEB in the build folder) makes
# smorg_<version>_<architecture>.deb from what `cmake --install` installs (the CLI, the static
# layers, libsmorg.so, the headers, the CMake package, the documents and the Python module), under
# /usr. tests/package/check_package.sh unpacks it and runs it.
#
# The shared libraries it needs (oneTBB, SQLite, zlib, pugixml, libstdc++...) are read off its ELF
# files by dpkg-shlibdeps (dpkg-dev); what that cannot see is named below.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME smorg)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "smorg developers")
set(CPACK_PACKAGE_CONTACT "smorg developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "relationship and influence engine: advocates and silos")
set(CPACK_PACKAGE_DESCRIPTION [=[smorg loads an organization's customer referrals and interactions, its
employees' internal communication and its outside influencers into one
in-memory graph, and answers two questions: who are our advocates (referral
value, reach, engagement), and where are our silos (the departments that do
not talk to each other, the people who bridge them, the introductions that
would open them). It has a JSON query command line (smorg), an HTTP server
with a web console (smorg serve), a Python module, a C ABI (libsmorg.so) and
static C++ libraries with a CMake package (find_package(smorg)).]=])
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # smorg_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "smorg developers")
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
if(PROJECT_HOMEPAGE_URL)
    set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

# What dpkg-shlibdeps cannot see. Graphviz's `dot` is a program smorg runs, not a library it links:
# only the pictures need it (the silo map, the advocates and trend charts, and so `smorg demo`), so
# it is recommended, which apt installs by default. The Python module's extension is built for one
# interpreter's ABI; numpy and pandas serve its arrays and DataFrames, networkx its conversions.
# The -dev packages are what find_package(smorg) looks for when a program links the static layers.
set(smorg_depends "")
set(smorg_recommends graphviz)
set(smorg_suggests libboost-graph-dev libtbb-dev libsqlite3-dev nlohmann-json3-dev zlib1g-dev libpugixml-dev)
if(TARGET smorg_python)
    find_package(Python 3.9 COMPONENTS Interpreter QUIET)
    math(EXPR next_minor "${Python_VERSION_MINOR} + 1")
    list(APPEND smorg_depends "python3 (>= ${Python_VERSION_MAJOR}.${Python_VERSION_MINOR})"
                              "python3 (<< ${Python_VERSION_MAJOR}.${next_minor})")
    list(APPEND smorg_recommends python3-numpy python3-pandas)
    list(APPEND smorg_suggests python3-networkx)
    # `cmake --install` puts the module where the interpreter looks under its prefix: for /usr/local
    # that is SMORG_PYTHON_INSTALL_DIR (lib/python3.X/dist-packages); under /usr, Debian's python3
    # looks in lib/python3/dist-packages, where cmake/SmorgPackagePython.cmake moves it.
    set(CPACK_SMORG_PYTHON_INSTALL_DIR "${SMORG_PYTHON_INSTALL_DIR}")
    set(CPACK_SMORG_PYTHON_PACKAGE_DIR "lib/python3/dist-packages")
    set(CPACK_SMORG_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
    set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/SmorgPackagePython.cmake")
endif()
string(JOIN ", " CPACK_DEBIAN_PACKAGE_DEPENDS ${smorg_depends})
string(JOIN ", " CPACK_DEBIAN_PACKAGE_RECOMMENDS ${smorg_recommends})
string(JOIN ", " CPACK_DEBIAN_PACKAGE_SUGGESTS ${smorg_suggests})

include(CPack)
