# Installation layout and the Debian package (CPack DEB, dependencies from dpkg-shlibdeps).
include(GNUInstallDirs)

foreach(prog fxs fxs-monitor fxs-server fxs-worker fxs-probe fxs-bench)
  if(TARGET ${prog})
    install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  endif()
endforeach()

install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/geometry/ DESTINATION ${CMAKE_INSTALL_DATADIR}/fxs-monitor/geometry
  FILES_MATCHING PATTERN "*.geom")
install(FILES ${CMAKE_SOURCE_DIR}/packaging/fxs-monitor.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/fxs-monitor.svg
  DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/fxs-server.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/fxs-server.default DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md" PATTERN "*.png")

# Man pages generated from each program's --help (help2man), when help2man is installed.
find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(FXS_MAN_PAGES)
  foreach(prog fxs fxs-monitor fxs-server fxs-worker fxs-probe)
    if(TARGET ${prog})
      set(page ${CMAKE_BINARY_DIR}/man/${prog}.1.gz)
      add_custom_command(OUTPUT ${page}
        COMMAND ${CMAKE_SOURCE_DIR}/packaging/make-man-page $<TARGET_FILE:${prog}> ${page}
        DEPENDS ${prog}
        COMMENT "Man page for ${prog}")
      list(APPEND FXS_MAN_PAGES ${page})
    endif()
  endforeach()
  add_custom_target(fxs_man_pages ALL DEPENDS ${FXS_MAN_PAGES})
  install(FILES ${FXS_MAN_PAGES} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "fxs-monitor")
set(CPACK_PACKAGE_VENDOR "FXS Monitor")
set(CPACK_PACKAGE_CONTACT "FXS Monitor developers <fxs-monitor@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Live monitoring and analysis of Fluctuation X-ray Scattering runs")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "openmpi-bin, hdf5-filter-plugin")
if(FXS_HAVE_PYTHON)
  # The fxs Python module (python/) is in the same package: Debian's interpreter and numpy.
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", python3, python3-numpy")
endif()
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "FXS Monitor shows live diffraction, the two-point angular correlation C2,
 convergence and M-TIP reconstructions of Fluctuation X-ray Scattering runs at XFELs, and drives a local
 multithreaded correlation engine or a remote MPI backend through fxs-server.")
include(CPack)
