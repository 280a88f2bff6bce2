include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS smorg_graph smorg_engine smorg_importers smorg_queries smorg_all smorg_warnings
    EXPORT smorgTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT smorgTargets NAMESPACE smorg:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smorg)
configure_package_config_file(cmake/smorgConfig.cmake.in
    ${CMAKE_CURRENT_BINARY_DIR}/smorgConfig.cmake
    INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smorg)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/smorgConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/smorgConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/smorgConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/smorg)
# The documents, laid out as in the sources so their links hold: share/doc/smorg/README.md and
# share/doc/smorg/docs/*.md (`smorg --help` names the folder).
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
