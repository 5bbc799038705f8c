# The web page (/ui/, server/routes/ui.c): server/ui's index.html, app.js
# and app.css, and Chart.js 3 from Debian's libjs-chart.js (MIT; its
# copyright file is served beside it as chart.js-copyright.txt), staged
# into one build folder and embedded into jixiao-server by embed.cmake, as
# api/openapi.yaml is.  Included from server/CMakeLists.txt after the
# executable is defined; nothing is fetched or built with npm.
set(JX_UI_DIR ${CMAKE_CURRENT_LIST_DIR})
find_file(JX_CHARTJS chart.min.js PATHS /usr/share/javascript/chart.js NO_DEFAULT_PATH)
if(NOT JX_CHARTJS)
  message(FATAL_ERROR "the web page needs Chart.js: apt-get install libjs-chart.js")
endif()
set(JX_CHARTJS_COPYRIGHT /usr/share/doc/libjs-chart.js/copyright)
set(JX_UI_FILES ${JX_UI_DIR}/index.html ${JX_UI_DIR}/app.js ${JX_UI_DIR}/app.css)
set(JX_UI_STAGE ${CMAKE_CURRENT_BINARY_DIR}/ui-assets)
set(JX_UI_C ${CMAKE_CURRENT_BINARY_DIR}/ui_embed.c)
add_custom_command(
  OUTPUT ${JX_UI_C}
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${JX_UI_STAGE}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${JX_UI_STAGE}
  COMMAND ${CMAKE_COMMAND} -E copy ${JX_UI_FILES} ${JX_UI_STAGE}/
  COMMAND ${CMAKE_COMMAND} -E copy ${JX_CHARTJS} ${JX_UI_STAGE}/chart.min.js
  COMMAND ${CMAKE_COMMAND} -E copy ${JX_CHARTJS_COPYRIGHT} ${JX_UI_STAGE}/chart.js-copyright.txt
  COMMAND ${CMAKE_COMMAND} -DOUT=${JX_UI_C} -DDIR=${JX_UI_STAGE} -DPATTERN=*
          -DVAR=jx_ui_assets -P ${CMAKE_CURRENT_SOURCE_DIR}/embed.cmake
  DEPENDS ${JX_UI_FILES} ${JX_CHARTJS} ${CMAKE_CURRENT_SOURCE_DIR}/embed.cmake
          ${JX_UI_DIR}/ui.cmake
  COMMENT "Embedding the web page (server/ui, Chart.js)")
target_sources(jixiao-server PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/routes/ui.c ${JX_UI_C})
