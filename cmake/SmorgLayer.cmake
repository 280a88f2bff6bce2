# smorg_add_layer(NAME <layer> DEPENDS <public targets...> PRIVATE_DEPENDS <targets...>)
#
# One static library per layer: sources are <layer>/src/**.cpp, public headers are
# <layer>/include/smorg/<layer>/**.h. Each layer has its own include root, so a layer can only
# include the headers of the layers it links: the one-way rule is enforced by the compiler.
function(smorg_add_layer)
    cmake_parse_arguments(L "" "NAME" "DEPENDS;PRIVATE_DEPENDS" ${ARGN})
    file(GLOB_RECURSE sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/src/*.cpp")
    set(target smorg_${L_NAME})
    add_library(${target} STATIC ${sources})
    add_library(smorg::${L_NAME} ALIAS ${target})
    set_target_properties(${target} PROPERTIES OUTPUT_NAME smorg_${L_NAME} EXPORT_NAME ${L_NAME})
    target_include_directories(${target}
        PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:include>
        PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
    target_compile_features(${target} PUBLIC cxx_std_20)
    target_link_libraries(${target} PUBLIC ${L_DEPENDS} PRIVATE ${L_PRIVATE_DEPENDS} smorg_warnings)
    install(DIRECTORY include/ DESTINATION include)
endfunction()
