#!/usr/bin/python3
"""Backup clusters, ours and NEO/py's side by side (a program, not a test).

  backup_bench.py [--commits N] [--runs R] [--load-seconds S] [--keep]

Each run, for each implementation (alternating): a primary cluster (1 master,
1 SQLite storage, 1 admin, 4 partitions) gets N commits from upstream's ZODB
client (tests/interop/replication/replication.py); then a backup cluster of
the same implementation (same layout, -B -C -M) starts empty and catches
up: catch-up throughput = object data of the primary (SUM(LENGTH(data.value)))
/ time from the backup's STARTING_BACKUP (as neoctl sees it) until its
backup TID is the primary's last TID. Then a writer commits continuously for S seconds while neoctl samples
both clusters every 0.1 s: lag = time of the primary's last TID - time of the
backup's backup TID (seconds, >= 0). Prints, per implementation, the median
(min-max) over runs of the catch-up MB/s and of the lag p50 and p99.

Needs NEO_PEER_PYTHONPATH (see tests/interop/peer_env.hpp) and our daemons in
NEO_BIN_DIR (default build/bin); our neoctl reads both clusters.
"""
import argparse, datetime, os, re, shutil, signal, socket, sqlite3, statistics
import subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, '..', 'replication', 'replication.py')
BIN = os.environ.get('NEO_BIN_DIR', 'build/bin')
PEER = os.environ.get('NEO_PEER_PYTHONPATH', '')
PYTHON = os.environ.get('NEO_PEER_PYTHON', '/usr/bin/python3')
ENV = dict(os.environ, PYTHONPATH=PEER)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def program(impl, name):
    if impl == 'ours':
        return [os.path.join(BIN, name)]
    return [PYTHON, os.path.join(PEER.split(':')[0], name)]


class Cluster:
    def __init__(self, impl, name, root, extra=()):
        self.impl, self.name, self.dir = impl, name, os.path.join(root, name)
        os.makedirs(self.dir)
        self.master = '127.0.0.1:%d' % free_port()
        self.admin = '127.0.0.1:%d' % free_port()
        self.db = os.path.join(self.dir, 'db.sqlite')
        self.extra = list(extra)
        self.processes = []

    def spawn(self, node, args, check=True):
        out = open(os.path.join(self.dir, node + '.out'), 'a')
        argv = program(self.impl, 'neo' + node) + ['-l', os.path.join(self.dir, node + '.log'),
                                                   '-c', self.name, '-m', self.master] + args
        process = subprocess.Popen(argv, stdout=out, stderr=out, env=ENV)
        if check:
            try:  # a port taken since free_port(): the node exits at once
                process.wait(1.5)
                return False
            except subprocess.TimeoutExpired:
                pass
        self.processes.append(process)
        return True

    def start_unchecked(self):
        """Starts the nodes at once (no retry if a port was taken)."""
        self.spawn('master', ['-b', self.master, '-p', '4', '-r', '0', '-A', '1'] + self.extra,
                   False)
        self.spawn('storage', ['-b', '127.0.0.1:%d' % free_port(), '-a', 'SQLite', '-d', self.db],
                   False)
        self.spawn('admin', ['-b', self.admin], False)

    def start(self):
        for _ in range(5):
            if self.spawn('master', ['-b', self.master, '-p', '4', '-r', '0', '-A', '1']
                          + self.extra):
                break
            self.master = '127.0.0.1:%d' % free_port()
        for _ in range(5):
            if self.spawn('storage', ['-b', '127.0.0.1:%d' % free_port(), '-a', 'SQLite',
                                      '-d', self.db]):
                break
        for _ in range(5):
            if self.spawn('admin', ['-b', self.admin]):
                break
            self.admin = '127.0.0.1:%d' % free_port()
        if len(self.processes) != 3:
            raise RuntimeError('cannot start ' + self.name)

    def neoctl(self, *args):
        r = subprocess.run([os.path.join(BIN, 'neoctl'), '-a', self.admin] + list(args),
                           capture_output=True, text=True, timeout=30)
        return r.stdout

    def ids(self):
        """{'last_tid': (hex, datetime), 'backup_tid': ...} of neoctl print ids."""
        out = {}
        for key, tid, date in re.findall(r'^(\w+_tid) = (0x[0-9a-f]+) \(([^)]*)\)',
                                         self.neoctl('print', 'ids'), re.M):
            try:
                when = datetime.datetime.fromisoformat(date)
            except ValueError:
                when = None
            out[key] = (tid, when)
        return out

    def stop(self):
        for p in reversed(self.processes):
            p.send_signal(signal.SIGTERM)
        for p in self.processes:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def wait(condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError('timed out waiting for ' + what)


def caught_up(primary, backup):
    last = primary.ids().get('last_tid')
    return last is not None and backup.ids().get('backup_tid', (None,))[0] == last[0]


def one_run(impl, root, run, commits, load_seconds):
    primary = Cluster(impl, 'bench-primary-%s-%d' % (impl, run), root)
    backup = None
    try:
        primary.start()
        wait(lambda: primary.neoctl('print', 'cluster') == 'RUNNING\n', 60, 'primary RUNNING')
        subprocess.run([PYTHON, SCRIPT, 'commit', primary.master, primary.name, 'a',
                        str(commits)], env=ENV, check=True, capture_output=True, timeout=600)
        with sqlite3.connect(primary.db) as db:
            size = db.execute('SELECT SUM(LENGTH(value)) FROM data').fetchone()[0] or 0
        backup = Cluster(impl, 'bench-backup-%s-%d' % (impl, run), root,
                         ['-B', '-C', primary.name, '-M', primary.master])
        backup.start_unchecked()
        # From the moment it follows the upstream (its nodes' startup excluded).
        wait(lambda: backup.neoctl('print', 'cluster') in ('STARTING_BACKUP\n', 'BACKINGUP\n'),
             60, 'backup following')
        t0 = time.time()
        wait(lambda: caught_up(primary, backup), 600, 'backup caught up')
        catch_up = size / (time.time() - t0) / 1e6
        stopfile = os.path.join(root, 'stop-%s-%d' % (impl, run))
        writer = subprocess.Popen([PYTHON, SCRIPT, 'commit', primary.master, primary.name, 'c',
                                   '1', stopfile], env=ENV, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        lags = []
        end = time.time() + load_seconds
        while time.time() < end:
            last = primary.ids().get('last_tid', (None, None))[1]
            mark = backup.ids().get('backup_tid', (None, None))[1]
            if last and mark:
                lags.append(max(0.0, (last - mark).total_seconds()))
            time.sleep(0.1)
        open(stopfile, 'w').close()
        writer.wait(60)
        lags.sort()
        p50 = lags[len(lags) // 2] if lags else float('nan')
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] if lags else float('nan')
        return size, catch_up, p50, p99, len(lags)
    finally:
        if backup:
            backup.stop()
        primary.stop()


def summary(values):
    return '%.3g (%.3g-%.3g)' % (statistics.median(values), min(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--commits', type=int, default=2000)
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--load-seconds', type=float, default=15)
    parser.add_argument('--keep', action='store_true')
    args = parser.parse_args()
    if not PEER:
        sys.exit('NEO_PEER_PYTHONPATH is not set')
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clusters stopped on the way out
    root = tempfile.mkdtemp(prefix='neo-backup-bench-')
    results = {'ours': [], 'neopy': []}
    try:
        for run in range(args.runs):
            for impl in ('ours', 'neopy') if run % 2 == 0 else ('neopy', 'ours'):
                r = one_run(impl, root, run, args.commits, args.load_seconds)
                print('run %d %-5s data %.1f MB catch-up %.2f MB/s lag p50 %.3f s p99 %.3f s'
                      ' (%d samples)' % ((run, impl, r[0] / 1e6) + r[1:]), flush=True)
                results[impl].append(r)
        for impl, rs in results.items():
            print('%-5s catch-up MB/s %s  lag p50 s %s  lag p99 s %s' % (
                impl, summary([r[1] for r in rs]), summary([r[2] for r in rs]),
                summary([r[3] for r in rs])))
        print('uptime:', os.getloadavg())
    finally:
        if args.keep:
            print('kept', root)
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == '__main__':
    main()
