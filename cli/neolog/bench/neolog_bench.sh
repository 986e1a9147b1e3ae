#!/bin/sh
# neolog throughput: records per second on a large log (>= 1 million records
# made by replicating the rows of the corpus' storage0.log with shifted
# dates), for plain output and for -a, against upstream NEO/py neolog.
# Output to /dev/null; wall-clock time of the whole process.
#
# usage: cli/neolog/bench/neolog_bench.sh [BUILD_DIR] [COPIES]
#   BUILD_DIR  holds bin/neolog (default: build)
#   COPIES     copies of storage0.log's 1254 records (default 800: 1,003,200)
# env: NEO_TEST_DATA (default tests/data of the source tree),
#      NEO_PEER (upstream neoppod checkout, default /work/peer/neoppod; skipped if absent),
#      PYTHON (default /usr/bin/python3), TMPDIR,
#      NEO_BENCH_LOG: benchmark this log instead (e.g. one made by our nodes
#      under load: NEO_BIN_DIR=build/bin build/tests/log_load admin.log 400000).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
copies=${2:-800}
data=${NEO_TEST_DATA:-$here/../../../tests/data}
peer=${NEO_PEER:-/work/peer/neoppod}
python=${PYTHON:-/usr/bin/python3}
ours=$build/bin/neolog
src=$data/neolog/storage0.log
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 command" >&2; exit 2; }
[ -x "$ours" ] || { echo "no $ours: build the neolog target first" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/neolog-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
big=$tmp/big.log

if [ -n "${NEO_BENCH_LOG:-}" ]; then
  big=$NEO_BENCH_LOG
else
sqlite3 "$big" <<SQL
ATTACH '$src' AS src;
CREATE TABLE log (date REAL PRIMARY KEY, node INTEGER, level INTEGER NOT NULL,
  pathname TEXT, lineno INTEGER, msg TEXT) WITHOUT ROWID;
CREATE TABLE packet (date REAL PRIMARY KEY, node INTEGER, msg_id INTEGER NOT NULL,
  code INTEGER NOT NULL, peer TEXT NOT NULL, body BLOB) WITHOUT ROWID;
CREATE TABLE protocol (date REAL PRIMARY KEY, text BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE node (id INTEGER PRIMARY KEY, name TEXT, cluster TEXT, nid INTEGER);
INSERT INTO protocol SELECT * FROM src.protocol;
INSERT INTO node SELECT * FROM src.node;
CREATE TEMP TABLE k AS WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < $copies) SELECT i FROM c;
CREATE TEMP TABLE span AS SELECT (SELECT max(date) FROM (SELECT date FROM src.log UNION ALL SELECT date FROM src.packet))
  - (SELECT min(date) FROM (SELECT date FROM src.log UNION ALL SELECT date FROM src.packet)) + 1 AS s;
INSERT INTO log SELECT date + i * (SELECT s FROM span), node, level, pathname, lineno, msg FROM src.log, k ORDER BY 1;
INSERT INTO packet SELECT date + i * (SELECT s FROM span), node, msg_id, code, peer, body FROM src.packet, k ORDER BY 1;
SQL
fi
records=$(sqlite3 "$big" "SELECT (SELECT count(*) FROM log) + (SELECT count(*) FROM packet)")
size=$(du -k "$big" | cut -f1)
echo "log: $records records ($((size / 1024)) MiB), TZ=UTC, output to /dev/null"

# run NAME CMD...: wall-clock and CPU (user + system) seconds, records/s of
# each (CPU time is the fairer figure on a loaded machine).
run() {
  name=$1
  shift
  if [ -x /usr/bin/time ]; then
    TZ=UTC /usr/bin/time -o "$tmp/time" -f "%e %U %S" "$@" >/dev/null
  else
    start=$(date +%s.%N)
    TZ=UTC "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$start $end" | awk '{ printf "%f 0 0\n", $2 - $1 }' >"$tmp/time"
  fi
  awk -v n="$name" -v r="$records" '{ cpu = $2 + $3; rate = 0; if (cpu > 0) rate = r / cpu;
    printf "%-20s wall %7.2f s %10.0f records/s   cpu %7.2f s %10.0f records/s\n",
      n, $1, r / $1, cpu, rate }' "$tmp/time"
}
run "neo-cpp neolog" "$ours" "$big"
run "neo-cpp neolog -a" "$ours" -a "$big"
if [ -f "$peer/neolog" ] && [ -x "$python" ]; then
  run "upstream neolog" env PYTHONPATH="$peer" "$python" "$peer/neolog" "$big"
  run "upstream neolog -a" env PYTHONPATH="$peer" "$python" "$peer/neolog" -a "$big"
else
  echo "(upstream neolog not found at $peer: skipped)"
fi
