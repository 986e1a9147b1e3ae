"""pyclient_bench: ZODB clients for Python side by side (issue 18's figures),
not a test. Three pairs run the same workload (zodb_bench.py: 1000 commits
of 10 objects of 100-1000 B, 2000 cold loads, 4 processes with 20% writes;
1 master + 1 SQLite storage, 1 partition):

  neo/neopy     upstream's client (neo.client.Storage) on a NEO/py cluster
  neo/ours      upstream's client on our cluster
  neocpp/ours   neocpp.Storage (python/, our C++ client library) on ours

in `runs` rounds that alternate the three (a new cluster each time), then
prints each figure's median with min and max, and the ratios of medians.

  NEO_PEER_PYTHONPATH=... /usr/bin/python3 tests/interop/bench/pyclient_bench.py \\
      [runs=5] [commits=1000] [mixed_ops=2000]

Our daemons from NEO_BIN_DIR (default build/bin), neocpp from
NEOCPP_PYTHONPATH (default build/python)."""
import os, shutil, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
BIN = os.getenv('NEO_BIN_DIR', os.path.join(ROOT, 'build', 'bin'))
NEOCPP = os.getenv('NEOCPP_PYTHONPATH', os.path.join(ROOT, 'build', 'python'))
PEER = os.getenv('NEO_PEER_PYTHONPATH', '')
PYTHON = os.getenv('NEO_PEER_PYTHON', '/usr/bin/python3')
WORKLOAD = os.path.join(HERE, 'zodb_bench.py')
PAIRS = (('neo', 'neopy'), ('neo', 'ours'), ('neocpp', 'ours'))
FIGURES = (('commit_s', 'commits/s (1 client)', True),
           ('commit_p50_ms', 'commit p50 (ms)', False),
           ('load_p50_us', 'cold load p50 (us)', False),
           ('mixed_ops_s', 'mixed ops/s (4 processes)', True),
           ('commit_cpu_ms', 'server CPU, commits (ms)', False))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Cluster(object):
    """1 master + 1 SQLite storage of `kind` ('ours' or 'neopy')."""

    def __init__(self, kind, name):
        self.dir = tempfile.mkdtemp(prefix='pyclient_bench.')
        self.name = name
        self.master = '127.0.0.1:%d' % free_port()
        common = ['-c', name, '-m', self.master]
        self.procs = [
            self._spawn(kind, 'neomaster', common + [
                '-b', self.master, '-p', '1', '-r', '0', '-A', '1']),
            self._spawn(kind, 'neostorage', common + [
                '-b', '127.0.0.1:%d' % free_port(), '-a', 'SQLite',
                '-d', os.path.join(self.dir, 'storage.db')]),
        ]

    def _spawn(self, kind, program, args):
        log = os.path.join(self.dir, program + '.log')
        if kind == 'ours':
            argv = [os.path.join(BIN, program)]
        else:
            argv = [PYTHON, os.path.join(PEER.split(':')[0], program)]
        out = open(os.path.join(self.dir, program + '.out'), 'w')
        return subprocess.Popen(argv + ['-l', log] + args, stdout=out,
                                stderr=subprocess.STDOUT,
                                env=dict(os.environ, PYTHONPATH=PEER))

    def pids(self):
        return ','.join(str(p.pid) for p in self.procs)

    def close(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def run(client, kind, commits, mixed):
    cluster = Cluster(kind, 'pybench-%s-%d' % (kind, os.getpid()))
    try:
        env = dict(os.environ, NEO_BENCH_CLIENT=client,
                   PYTHONPATH=NEOCPP + ':' + PEER)
        out = subprocess.run(
            [PYTHON, WORKLOAD, cluster.master, cluster.name, cluster.pids(),
             str(commits), str(mixed)], env=env, capture_output=True,
            text=True, timeout=1800)
        if out.returncode:
            sys.exit('%s/%s failed:\n%s' % (client, kind, out.stderr))
        lines = (line.split() for line in out.stdout.splitlines() if line)
        return {key: float(value) for key, value in lines}
    finally:
        cluster.close()


def main():
    if not PEER:
        sys.exit('pyclient_bench: set NEO_PEER_PYTHONPATH (see README.md)')
    args = [int(a) for a in sys.argv[1:4]]
    runs, commits, mixed = args + [5, 1000, 2000][len(args):]
    print('pyclient_bench: %d runs, %d commits, %d mixed ops; load %s' % (
        runs, commits, mixed, os.getloadavg()))
    results = {pair: [] for pair in PAIRS}
    for i in range(runs):
        for pair in PAIRS:
            t0 = time.time()
            figures = run(pair[0], pair[1], commits, mixed)
            results[pair].append(figures)
            print('run %d %-12s %s (%.0f s)' % (i + 1, '/'.join(pair), ' '.join(
                '%s=%g' % (k, figures[k]) for k, _, _ in FIGURES), time.time() - t0))
            sys.stdout.flush()
    report(results)


def report(results):
    print('median [min-max] of each figure:')
    print('  %-28s' % '' + ''.join('%26s' % '/'.join(p) for p in PAIRS))
    for key, label, _ in FIGURES:
        cells = []
        for pair in PAIRS:
            values = [f[key] for f in results[pair]]
            cells.append('%9.1f [%6.1f-%6.1f]' % (
                statistics.median(values), min(values), max(values)))
        print('  %-28s' % label + ''.join('%26s' % c for c in cells))
    base = {key: statistics.median(f[key] for f in results[PAIRS[0]])
            for key, _, _ in FIGURES}
    for pair in PAIRS[1:]:
        ratios = []
        for key, label, higher in FIGURES:
            m = statistics.median(f[key] for f in results[pair])
            ratios.append('%s %.2fx' % (key, (m / base[key]) if higher else (base[key] / m)))
        print('gain of %s over neo/neopy: %s' % ('/'.join(pair), ', '.join(ratios)))


if __name__ == '__main__':
    main()
