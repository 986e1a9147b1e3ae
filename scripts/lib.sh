# Shared by scripts/run and scripts/test (sourced, not run): the project
# root, ccache settings and the configure/build steps.

NEO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEO_JOBS=${NEO_JOBS:-$(nproc)}

# ccache keeps objects across runs, and across fresh clones made at the same
# path: the cache lives in ~/.cache/ccache, or in .cache/ inside the project
# when there is no writable home. (No CCACHE_BASEDIR: it would make __FILE__
# relative to the build directory, and the log module relies on __FILE__.)
neo_setup_ccache() {
  command -v ccache >/dev/null || return 0
  if [ -z "${CCACHE_DIR:-}" ]; then
    if [ -n "${HOME:-}" ] && mkdir -p "$HOME/.cache/ccache" 2>/dev/null &&
       [ -w "$HOME/.cache/ccache" ]; then
      CCACHE_DIR=$HOME/.cache/ccache
    else
      CCACHE_DIR=$NEO_ROOT/.cache/ccache
    fi
  fi
  export CCACHE_DIR
  ccache --zero-stats >/dev/null 2>&1 || true
}

# Optimized build with line tables only (-g1: file/line in stack traces,
# perf and gdb backtraces; about a quarter less compile time than -g). A
# developer wanting full debug info configures build/ by hand.
NEO_RELEASE_ARGS=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")

# neo_configure DIR [cmake args...]: configures DIR (under the project
# root) with Ninja. A DIR configured with another generator is reset.
neo_configure() {
  local dir=$NEO_ROOT/$1
  shift
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
    echo "$dir was configured with another generator: resetting it"
    rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
  fi
  cmake -S "$NEO_ROOT" -B "$dir" -G Ninja "$@"
}

# neo_build DIR: builds every target of DIR, going on past failures so that
# one build shows every error (and builds all it can).
neo_build() {
  cmake --build "$NEO_ROOT/$1" -j "$NEO_JOBS" -- -k 0
}

# neo_ccache_summary: one line of cache statistics, if ccache is used.
neo_ccache_summary() {
  command -v ccache >/dev/null || return 0
  ccache --print-stats 2>/dev/null | awk -F'\t' '
    $1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" { hits += $2 }
    $1 == "cache_miss" { misses = $2 }
    END { printf "ccache (%s): %d hits, %d misses\n", ENVIRON["CCACHE_DIR"], hits, misses }'
}
