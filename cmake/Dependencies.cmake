# Every third-party library lfmb uses, found from Debian 12's packages.
# All are required so a missing package fails the configure step, not a later issue.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)

find_package(fmt 9 CONFIG REQUIRED)                 # fmt::fmt
find_package(yaml-cpp 0.7 CONFIG REQUIRED)          # yaml-cpp (plain target name in 0.7)
find_package(nlohmann_json 3 CONFIG REQUIRED)       # nlohmann_json::nlohmann_json
find_package(benchmark 1.7 CONFIG REQUIRED)         # benchmark::benchmark
find_package(Catch2 2 CONFIG REQUIRED)              # Catch2::Catch2 (v2, header-only)
find_package(dnnl 2.6 CONFIG REQUIRED)              # DNNL::dnnl (needs ocl-icd-opencl-dev)
find_package(SQLite3 REQUIRED)                      # SQLite::SQLite3 (eval's response cache)
find_package(ZLIB REQUIRED)                         # ZLIB::ZLIB (gzipped dataset files)
find_package(CURL 7.85 REQUIRED)                    # CURL::libcurl (LLM-judge client, HTTP and HTTPS)
# cpp-httplib (libcpp-httplib-dev; Debian builds it as a library): the tests' local OpenAI-style
# judge server.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

pkg_check_modules(OPENBLAS REQUIRED IMPORTED_TARGET openblas)
pkg_check_modules(CPUINFO REQUIRED IMPORTED_TARGET libcpuinfo)  # Debian's CMake config is broken
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(ICU_UC REQUIRED IMPORTED_TARGET icu-uc)     # ICU character properties (emoji, Python str.isupper ...)
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)  # the code sandbox's syscall filter (libseccomp-dev)

# CLD2 (libcld2-dev) ships no .pc file: language identification for the instruction checkers.
find_path(CLD2_INCLUDE_DIR cld2/public/compact_lang_det.h REQUIRED)
find_library(CLD2_LIBRARY cld2 REQUIRED)

# XNNPACK and pthreadpool ship neither a CMake config nor a .pc file.
find_path(XNNPACK_INCLUDE_DIR xnnpack.h REQUIRED)
find_library(XNNPACK_LIBRARY XNNPACK REQUIRED)
find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h REQUIRED)
find_library(PTHREADPOOL_LIBRARY pthreadpool REQUIRED)
add_library(lfmb_xnnpack_deps INTERFACE)
target_include_directories(lfmb_xnnpack_deps INTERFACE ${XNNPACK_INCLUDE_DIR} ${PTHREADPOOL_INCLUDE_DIR})
target_link_libraries(lfmb_xnnpack_deps INTERFACE ${XNNPACK_LIBRARY} ${PTHREADPOOL_LIBRARY} PkgConfig::CPUINFO Threads::Threads)

# --- openblas backend: does this OpenBLAS export cblas_sbgemm? -------------------------------
# cblas.h declares it whenever the headers are new enough, but Debian 12's 0.3.21 build does not
# export it, so only a link test tells. bf16 joins the backend's dtypes only when this passes.
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_LIBRARIES PkgConfig::OPENBLAS)
check_c_source_compiles([[
#include <cblas.h>
int main(void) {
  bfloat16 a = 0, b = 0;
  float c = 0;
  cblas_sbgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, 1, 1, 1.0f, &a, 1, &b, 1, 0.0f, &c, 1);
  return 0;
}]] LFMB_OPENBLAS_HAS_SBGEMM)
unset(CMAKE_REQUIRED_LIBRARIES)
if(LFMB_OPENBLAS_HAS_SBGEMM)
  add_compile_definitions(LFMB_OPENBLAS_HAS_SBGEMM)
endif()
# --- end openblas backend ---------------------------------------------------------------------
