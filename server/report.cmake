# report.cmake -- the evaluation report renderers (server/report*.c) and
# their command-line driver jixiao-report.  Included from
# server/CMakeLists.txt:  include(${CMAKE_CURRENT_LIST_DIR}/report.cmake)
#
#   jixiao_report   static library: jx_report_render() (report.h)
#   jixiao-report   CLI: model JSON on stdin, --format F, report on stdout
#
# Needs Jansson and libxlsxwriter (Debian: libjansson-dev libxlsxwriter-dev).
find_package(PkgConfig REQUIRED)
pkg_check_modules(JX_REPORT_JANSSON REQUIRED IMPORTED_TARGET jansson)
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)

set(JX_REPORT_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(jixiao_report STATIC
  ${JX_REPORT_DIR}/report.c ${JX_REPORT_DIR}/report_json.c ${JX_REPORT_DIR}/report_html.c
  ${JX_REPORT_DIR}/report_md.c ${JX_REPORT_DIR}/report_csv.c ${JX_REPORT_DIR}/report_xlsx.c)
target_include_directories(jixiao_report PUBLIC ${JX_REPORT_DIR})
target_link_libraries(jixiao_report PUBLIC PkgConfig::JX_REPORT_JANSSON PkgConfig::XLSXWRITER m)

add_executable(jixiao-report ${JX_REPORT_DIR}/report_cli.c)
target_link_libraries(jixiao-report PRIVATE jixiao_report)
