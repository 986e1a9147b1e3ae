# Every dependency is a Debian package; scripts/install-deps installs them.
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(BZip2 REQUIRED)
find_package(LibLZMA REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Catch2 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)  # tests read the JSON vectors
find_package(PkgConfig REQUIRED)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(MARIADB REQUIRED IMPORTED_TARGET libmariadb)  # storage -a MySQL

# Standalone Asio (header only, Debian libasio-dev). Only .cpp files of
# core/net and the nodes include it, never a widely-included header.
add_library(neo_asio INTERFACE)
# ASIO_DISABLE_STD_ALIGNED_ALLOC: otherwise a file whose first include is Asio mixes
# aligned_alloc with operator delete (ASan: alloc-dealloc-mismatch).
target_compile_definitions(neo_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(neo_asio INTERFACE Threads::Threads OpenSSL::SSL OpenSSL::Crypto)
