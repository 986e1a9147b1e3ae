#!/usr/bin/env python3
"""Benchmark (not a test) of neomigrate: FS -> NEO and NEO -> FS times on a
given FileStorage, ours (our daemons, our neomigrate) and, with --upstream,
NEO/py's (its daemons, its neomigrate), each run on a new cluster of one
master, one SQLite storage and one admin on 127.0.0.1. Prints the median,
min and max of the runs: the time neomigrate itself reports ("Migration done
in"), the whole process's, and the CPU seconds used by neomigrate, the
master and the storage together (less sensitive to a machine shared with
other work than the elapsed times).

  tests/tools/neomigrate/neomigrate_bench.py --bin build/bin [--upstream] [--runs 5] /tmp/bench.fs

The FileStorage of the issue's figures comes from make_bench_fs.py.
"""
import argparse
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PEER = '/work/peer'
PEER_PATH = ':'.join(PEER + p for p in (
    '/neoppod', '/ZODB/src', '/ZEO/src', '/ZConfig/src', '/zdaemon/src'))


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Flavour:
    """How to run one implementation's programs."""

    def __init__(self, name, bin_dir=None):
        self.name = name
        self.bin_dir = bin_dir
        self.env = dict(os.environ)
        if name == 'upstream':
            self.env['PYTHONPATH'] = PEER_PATH

    def program(self, name):
        if self.name == 'upstream':
            return ['/usr/bin/python3', PEER + '/neoppod/' + name]
        return [os.path.join(self.bin_dir, name)]


class Cluster:
    def __init__(self, flavour, neoctl, workdir):
        self.flavour, self.neoctl = flavour, neoctl
        self.dir = tempfile.mkdtemp(prefix='neomigrate-bench-', dir=workdir)
        self.name = 'bench%d' % os.getpid()
        self.master = '127.0.0.1:%d' % free_port()
        self.admin = '127.0.0.1:%d' % free_port()
        storage = '127.0.0.1:%d' % free_port()
        common = ['-c', self.name, '-m', self.master]
        self.procs = [
            self.spawn('neomaster', common + ['-b', self.master, '-p', '12', '-r', '0', '-A', '1']),
            self.spawn('neostorage', common + ['-b', storage, '-a', 'SQLite',
                                               '-d', os.path.join(self.dir, 'db.sqlite')]),
            self.spawn('neoadmin', common + ['-b', self.admin]),
        ]
        deadline = time.time() + 60
        while time.time() < deadline:
            out = subprocess.run(neoctl + ['-a', self.admin, 'print', 'cluster'],
                                 capture_output=True, text=True).stdout
            if 'RUNNING' in out:
                return
            time.sleep(0.2)
        self.stop()
        sys.exit('%s cluster did not start (see %s)' % (flavour.name, self.dir))

    def spawn(self, program, args):
        log = os.path.join(self.dir, program + '.log')
        out = open(os.path.join(self.dir, program + '.out'), 'w')
        return subprocess.Popen(self.flavour.program(program) + ['-l', log] + args,
                                stdout=out, stderr=subprocess.STDOUT, env=self.flavour.env)

    def cpu(self):
        """CPU seconds used so far by the master and the storage."""
        total = 0.0
        for p in self.procs[:2]:
            with open('/proc/%d/stat' % p.pid) as f:
                fields = f.read().rsplit(')', 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        return total

    def stop(self):
        for p in self.procs:
            p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def migrate(flavour, cluster, source, destination):
    start = time.monotonic()
    cpu = cluster.cpu()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = subprocess.run(flavour.program('neomigrate') + ['-c', cluster.name, source, destination],
                         capture_output=True, text=True, env=flavour.env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cluster.cpu() - cpu + after.ru_utime - children.ru_utime + after.ru_stime -
           children.ru_stime)
    if run.returncode:
        sys.exit('%s neomigrate %s %s failed (%d):\n%s%s' % (
            flavour.name, source, destination, run.returncode, run.stdout, run.stderr))
    done = re.search(r'Migration done in ([0-9.]+)', run.stdout)
    return float(done.group(1)) if done else wall, wall, cpu


def summary(label, values):
    return '%-32s median %8.3f s  min %8.3f  max %8.3f  (%d runs)' % (
        label, statistics.median(values), min(values), max(values), len(values))


def bench(flavour, neoctl, path, runs, workdir):
    times = {'FS -> NEO': [], 'NEO -> FS': [], 'FS -> NEO (process)': [],
             'NEO -> FS (process)': [], 'FS -> NEO (CPU)': [], 'NEO -> FS (CPU)': []}
    for i in range(runs):
        cluster = Cluster(flavour, neoctl, workdir)
        try:
            out = os.path.join(cluster.dir, 'out.fs')
            for label, source, destination in (('FS -> NEO', path, cluster.master),
                                               ('NEO -> FS', cluster.master, out)):
                done, wall, cpu = migrate(flavour, cluster, source, destination)
                times[label].append(done)
                times[label + ' (process)'].append(wall)
                times[label + ' (CPU)'].append(cpu)
            print('%s run %d: in %.3f s, out %.3f s, exported %d bytes (source %d)' % (
                flavour.name, i + 1, times['FS -> NEO'][-1], times['NEO -> FS'][-1],
                os.path.getsize(out), os.path.getsize(path)), flush=True)
        finally:
            cluster.stop()
    for label, values in times.items():
        print(summary('%s %s' % (flavour.name, label), values))
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('file', help='the FileStorage to migrate')
    parser.add_argument('--bin', default='build/bin', help='our programs (default build/bin)')
    parser.add_argument('--runs', type=int, default=5)
    parser.add_argument('--upstream', action='store_true', help="also NEO/py's")
    parser.add_argument('--upstream-runs', type=int, help='runs of NEO/py (default --runs)')
    parser.add_argument('--workdir', default=None, help='where clusters live (default: $TMPDIR)')
    args = parser.parse_args()
    neoctl = [os.path.join(args.bin, 'neoctl')]
    print('file %s: %d bytes' % (args.file, os.path.getsize(args.file)))
    ours = bench(Flavour('ours', args.bin), neoctl, args.file, args.runs, args.workdir)
    if args.upstream:
        theirs = bench(Flavour('upstream'), neoctl, args.file, args.upstream_runs or args.runs,
                       args.workdir)
        for label in ('FS -> NEO', 'NEO -> FS', 'FS -> NEO (CPU)', 'NEO -> FS (CPU)'):
            print('%-16s upstream/ours (medians): %.1fx' % (
                label, statistics.median(theirs[label]) / statistics.median(ours[label])))


if __name__ == '__main__':
    main()
