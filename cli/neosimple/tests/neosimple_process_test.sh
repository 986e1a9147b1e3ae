#!/bin/sh
# Process test of neosimple: starts a cluster of the daemons found in BIN_DIR
# ($NEO_SIMPLE_BIN_DIR wins), waits until RUNNING, stops it with SIGTERM (exit
# status 0, every node gone), restarts it on the same data directory (same
# cluster), and checks that a daemon exiting early is reported.
# Usage: neosimple_process_test.sh NEOSIMPLE BIN_DIR
# Exit status 77 (skipped) while the daemons are not built yet.
set -u
NEOSIMPLE=$1
BIN=${NEO_SIMPLE_BIN_DIR:-$2}
PORT=${NEOSIMPLE_TEST_PORT:-22450}
for program in neomaster neostorage neoadmin neoctl; do
  if [ ! -x "$BIN/$program" ]; then
    echo "SKIP: $BIN/$program is not built yet"
    exit 77
  fi
done
DIR=$(mktemp -d /tmp/neosimple-test-XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$DIR"/*.out "$DIR"/data/*.out; do [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }; done
  exit 1
}
ADMIN=127.0.0.1:$((PORT + 3))

# start OUT: runs neosimple in the background, waits for "Cluster RUNNING."
start() {
  : > "$DIR/$1"
  "$NEOSIMPLE" --bin-dir "$BIN" --data-dir "$DIR/data" --port-base "$PORT" -n 2 \
    --partitions 3 > "$DIR/$1" 2>&1 &
  PID=$!
  i=0
  until grep -q "^Cluster RUNNING\.$" "$DIR/$1"; do
    kill -0 "$PID" 2>/dev/null || fail "neosimple exited before RUNNING"
    i=$((i + 1))
    [ $i -gt 600 ] && fail "cluster not RUNNING after 60 s"
    sleep 0.1
  done
}

# stop: SIGTERM, exit status 0, the admin no longer answers.
stop() {
  kill -TERM "$PID"
  wait "$PID"
  status=$?
  PID=
  [ $status -eq 0 ] || fail "neosimple exited with $status after SIGTERM"
  grep -q "cluster stopped" "$DIR/$1" || fail "no 'cluster stopped' in $1"
  if "$BIN/neoctl" -a "$ADMIN" print cluster > /dev/null 2>&1; then
    fail "the admin still answers after the stop"
  fi
}

start first.out
grep -q "S1 | STORAGE" "$DIR/first.out" || fail "print node output missing"
grep -q "S2 | STORAGE" "$DIR/first.out" || fail "second storage missing"
[ "$("$BIN/neoctl" -a "$ADMIN" print cluster)" = RUNNING ] || fail "print cluster"
NAME=$(sed -n 's/^name = //p' "$DIR/data/neosimple.conf")
[ -n "$NAME" ] || fail "no cluster name saved"
stop first.out

start second.out
grep -q "NEO cluster '$NAME'" "$DIR/second.out" || fail "restart did not reuse cluster $NAME"
stop second.out

"$NEOSIMPLE" --bin-dir "$BIN" --data-dir "$DIR/bad" --port-base "$PORT" \
  /nonexistent/directory/db > "$DIR/bad.out" 2>&1
status=$?
[ $status -eq 1 ] || fail "a failing storage gave exit status $status"
grep -q "storage1 (pid [0-9]*) exited with status" "$DIR/bad.out" || fail "early exit not reported"
echo "neosimple process test: OK"
