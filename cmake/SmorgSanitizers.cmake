# One cache variable turns sanitizers on for every translation unit (tests and third-party headers
# included), so ASan/UBSan see every allocation and every call.
if(SMORG_SANITIZE)
    message(STATUS "smorg: sanitizers ${SMORG_SANITIZE}")
    add_compile_options(-fsanitize=${SMORG_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    add_link_options(-fsanitize=${SMORG_SANITIZE})
endif()
# Coverage instrumentation for libFuzzer on every translation unit; the harnesses link the fuzzer.
if(SMORG_FUZZ)
    add_compile_options(-fsanitize=fuzzer-no-link)
endif()
