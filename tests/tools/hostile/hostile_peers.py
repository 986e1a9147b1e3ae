#!/usr/bin/python3
# The attacks of issue 20 (findings 2 and 3) against a fresh cluster of our
# daemons (--impl cpp, build/bin) or of NEO/py's (--impl py, NEO_PEER_PYTHONPATH
# or the default peer checkout), with the figures printed:
#  - node list size before/after 200 identifications as masters at unused
#    addresses;
#  - `neoctl print cluster` successes out of 20 concurrent calls, 3 rounds,
#    while malformed administration requests are sent to the admin;
#  - the partition table before/after identifications as clones with bad
#    new_nid values;
#  - (finding 1) a node's RSS at peak and after close while 1 (phase
#    pongs), 2 (pongs2) or N (pongsN) connections send ~100 MB of Pings
#    each and never read the Pongs;
#  - the same while N connections (phase partialN) each announce a Ping of
#    60 MiB and send all of it but its last byte.
# Needs python3-msgpack. Not a CTest test (seconds to minutes, real ports).
#   tests/tools/hostile/hostile_peers.py --impl cpp --bin build/bin
#   tests/tools/hostile/hostile_peers.py --impl py --phases pongs
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import msgpack

HANDSHAKE = b"\x92\xa3NEO\x05"
EXT_CLUSTER, EXT_NODE_STATE, EXT_NODE_TYPE = 1, 3, 4
MASTER, STORAGE = 0, 1
PEER_PATH = ":".join("/work/peer/" + p for p in (
    "neoppod", "ZODB/src", "ZEO/src", "ZConfig/src", "zdaemon/src"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def enum(ext, value):
    return msgpack.ExtType(ext, msgpack.packb(value))


class Link:
    """A raw NEO connection: handshake, then frames [msg_id, code, args]."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.sendall(HANDSHAKE)
        self.unpacker = msgpack.Unpacker(raw=False, strict_map_key=False)
        self.msg_id = 0

    def send(self, code, args):
        self.msg_id += 1
        self.sock.sendall(msgpack.packb([self.msg_id, code, args], use_bin_type=True))

    def read(self, timeout=5):
        """The first frame after the handshake, or None (closed/timeout)."""
        deadline = time.time() + timeout
        try:
            while time.time() < deadline:
                for obj in self.unpacker:
                    if obj != ["NEO", 5]:
                        return obj
                self.sock.settimeout(max(0.01, deadline - time.time()))
                data = self.sock.recv(65536)
                if not data:
                    return None
                self.unpacker.feed(data)
        except OSError:
            return None
        return None

    def close(self):
        self.sock.close()


class Cluster:
    def __init__(self, impl, bin_dir, partitions=12):
        self.impl, self.bin_dir = impl, bin_dir
        self.dir = tempfile.mkdtemp(prefix="neo-hostile-")
        self.name = "hostile"
        self.bname = b"hostile"
        self.master, self.storage, self.admin = free_port(), free_port(), free_port()
        self.procs = []
        masters = "127.0.0.1:%d" % self.master
        common = ["-c", self.name, "-m", masters]
        self.spawn("master", common + ["-b", masters, "-p", str(partitions), "-r", "0", "-A", "1"])
        self.spawn("storage", common + ["-b", "127.0.0.1:%d" % self.storage, "-a", "SQLite",
                                        "-d", os.path.join(self.dir, "db.sqlite")])
        self.spawn("admin", common + ["-b", "127.0.0.1:%d" % self.admin])

    def spawn(self, node, args):
        log = ["-l", os.path.join(self.dir, node + ".log")]
        if self.impl == "cpp":
            argv = [os.path.join(self.bin_dir, "neo" + node)] + log + args
            env = None
        else:
            argv = ["/usr/bin/python3", "/work/peer/neoppod/neo" + node] + log + args
            env = dict(os.environ, PYTHONPATH=os.environ.get("NEO_PEER_PYTHONPATH", PEER_PATH))
        out = open(os.path.join(self.dir, node + ".out"), "w")
        self.procs.append(subprocess.Popen(argv, stdout=out, stderr=out, env=env))

    def neoctl(self, *args, timeout=30):
        argv = [os.path.join(self.bin_dir, "neoctl"), "-a", "127.0.0.1:%d" % self.admin] + list(args)
        try:
            r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
            return r.returncode, r.stdout + r.stderr
        except subprocess.TimeoutExpired:
            return -1, "timeout"

    def wait_running(self, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            rc, out = self.neoctl("print", "cluster")
            if rc == 0 and "RUNNING" in out:
                return True
            time.sleep(0.2)
        return False

    def nodes(self):
        rc, out = self.neoctl("print", "node")
        return [l for l in out.splitlines() if "|" in l] if rc == 0 else None

    def pt(self):
        rc, out = self.neoctl("print", "pt")
        return out if rc == 0 else None

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


def identify(port, args):
    """RequestIdentification `args`: True if accepted (False: refused, or no node)."""
    try:
        link = Link(port)
        link.send(0x0001, args)
        answer = link.read()
        link.close()
        return answer is not None and answer[1] == 0x8001
    except OSError:
        return False


def fake_masters(c, count):
    refused = 0
    for i in range(count):
        address = [b"127.0.0.1", 40000 + i]
        refused += not identify(c.master, [enum(EXT_NODE_TYPE, MASTER), None, address, c.bname,
                                           None, {}])
    return refused


MALFORMED_ADMIN = [
    (0x002a, [enum(EXT_CLUSTER, 99)]),              # SetClusterState: no such state
    (0x002a, ["RUNNING"]),                           # ... a string
    (0x0026, [1, enum(EXT_NODE_STATE, 42)]),         # SetNodeState: no such state
    (0x0026, [b"zz", enum(EXT_NODE_STATE, 1)]),      # ... nid as bytes
    (0x0027, [b"not a list"]),                       # AddPendingNodes
    (0x0027, [[1, 2], 3]),                           # ... extra argument
    (0x0029, ["two"]),                               # SetNumReplicas
    (0x0029, [2 ** 63]),                             # ... out of int64
    (0x002b, [[1], "yes"]),                          # Repair: dry_run a string
    (0x002b, [7]),                                   # ... missing argument
]


def admin_attack(c, rounds=3, calls=20):
    stop = threading.Event()
    sent = [0]

    def attack():
        while not stop.is_set():
            for code, args in MALFORMED_ADMIN:
                try:
                    link = Link(c.admin)
                    link.send(code, args)
                    link.read(timeout=1)
                    link.close()
                    sent[0] += 1
                except OSError:
                    time.sleep(0.05)

    attacker = threading.Thread(target=attack)
    attacker.start()
    results = []
    try:
        for _ in range(rounds):
            outcome = []
            threads = [threading.Thread(target=lambda: outcome.append(
                c.neoctl("print", "cluster")[0] == 0)) for _ in range(calls)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            results.append(sum(outcome))
    finally:
        stop.set()
        attacker.join()
    return results, sent[0]


BAD_NEW_NID = [[99999], [-1], b"zz", list(range(100000)), [], "x" * 10]


def new_nid_attack(c, values):
    answers = []
    for new_nid in values:
        accepted = identify(c.master, [enum(EXT_NODE_TYPE, STORAGE), None, None, c.bname, None,
                                       {b"new_nid": new_nid}])
        answers.append("ACCEPTED" if accepted else "refused")
    return answers


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def ping_block(size=1 << 20):
    """About `size` bytes of Ping frames (msg ids cycling)."""
    out, i = [], 0
    total = 0
    while total < size:
        frame = msgpack.packb([i, 0x0002, []])
        out.append(frame)
        total += len(frame)
        i = (i + 1) % 100000
    return b"".join(out)


def pong_flood(pid, port, conns, megabytes, stall=10.0):
    """`conns` links send `megabytes` MB of Pings each and never read; the
    node's RSS is sampled all along. Returns (before, peak, after close, MB
    sent per link, links the node closed)."""
    block = ping_block()
    before = rss_mb(pid)
    peak = [before]
    sent = [0] * conns
    closed = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    def flood(k, link):
        link.sock.settimeout(stall)  # the node stopped reading: give up
        try:
            for _ in range(megabytes):
                link.sock.sendall(block)
                sent[k] += len(block)
        except socket.timeout:
            pass
        except OSError:
            closed[0] += 1

    sampler = threading.Thread(target=sample)
    sampler.start()
    links = [Link(port) for _ in range(conns)]
    threads = [threading.Thread(target=flood, args=(k, l)) for k, l in enumerate(links)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    time.sleep(1)  # Pongs still being queued from the socket buffers
    peak[0] = max(peak[0], rss_mb(pid))
    for l in links:
        l.close()
    time.sleep(3)
    done.set()
    sampler.join()
    after = rss_mb(pid)
    return before, peak[0], after, [round(s / 1e6) for s in sent], closed[0]


def partial_flood(pid, port, conns, stall=10.0):
    """`conns` links each send a Ping frame of 60 MiB but its last byte,
    then wait. Returns (before, peak, after close, MB sent per link, links
    the node closed)."""
    body = 60 << 20
    frame = msgpack.packb([1, 0x0002, [b"x" * body]], use_bin_type=True)[:-1]
    before = rss_mb(pid)
    peak = [before]
    sent = [0] * conns
    closed = [0]

    def flood(k, link):
        link.sock.settimeout(stall)
        try:
            for i in range(0, len(frame), 1 << 20):
                sent[k] += link.sock.send(frame[i:i + (1 << 20)])
        except socket.timeout:
            pass
        except OSError:
            closed[0] += 1

    links = [Link(port) for _ in range(conns)]
    threads = [threading.Thread(target=flood, args=(k, l)) for k, l in enumerate(links)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak[0] = max(peak[0], rss_mb(pid))
        time.sleep(0.05)
    time.sleep(1)  # the last bytes read
    peak[0] = max(peak[0], rss_mb(pid))
    for l in links:
        l.close()
    time.sleep(3)
    after = rss_mb(pid)
    return before, peak[0], after, [round(s / 1e6) for s in sent], closed[0]


def alive(c):
    return "/".join("up" if p.poll() is None else "DEAD" for p in c.procs) + " (M/S/A)"


def run_phase(args, phase):
    c = Cluster(args.impl, os.path.abspath(args.bin))
    try:
        if not c.wait_running():
            print("cluster not RUNNING; see", c.dir)
            return
        phase(c)
        print("  nodes after:", alive(c), "logs in", c.dir)
    finally:
        c.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=("cpp", "py"), default="cpp")
    parser.add_argument("--bin", default="build/bin", help="our daemons and neoctl")
    parser.add_argument("--masters", type=int, default=200)
    parser.add_argument("--phases", default="masters,admin,new_nid,pongs,pongs2")
    parser.add_argument("--pong-mb", type=int, default=100, help="MB of Pings per link")
    parser.add_argument("--pong-node", choices=("storage", "master"), default="storage")
    parser.add_argument("--each", action="store_true",
                        help="one cluster per bad new_nid (NEO/py's master dies on some)")
    args = parser.parse_args()

    def masters(c):
        before = c.nodes()
        refused = fake_masters(c, args.masters)
        time.sleep(0.5)  # let the closures be processed (figures only)
        after = c.nodes()
        print("%s: node list %s -> %s after %d fake master identifications (%d refused)"
              % (args.impl, before and len(before), after and len(after), args.masters, refused))

    def admin(c):
        results, sent = admin_attack(c)
        print("%s: neoctl print cluster OK %s /20 per round, %d malformed requests sent"
              % (args.impl, results, sent))

    def new_nid(c, values=BAD_NEW_NID):
        pt_before, nodes_before = c.pt(), c.nodes()
        answers = new_nid_attack(c, values)
        time.sleep(0.5)
        pt_after, nodes_after = c.pt(), c.nodes()
        print("%s: new_nid %s: %s; partition table %s, node list %s -> %s"
              % (args.impl, [repr(x)[:12] for x in values], answers,
                 "unchanged" if pt_before == pt_after else "CHANGED",
                 nodes_before and len(nodes_before), nodes_after and len(nodes_after)))
        if pt_before != pt_after:
            print(pt_after)

    def flood(c, conns, partial):
        index, port = (1, c.storage) if args.pong_node == "storage" else (0, c.master)
        pid = c.procs[index].pid
        before, peak, after, sent, closed = (
            partial_flood(pid, port, conns) if partial else
            pong_flood(pid, port, conns, args.pong_mb))
        print("%s: %s, %d link(s) to the %s, MB sent %s (%d closed by the node): RSS %.0f MB, "
              "peak %+.0f MB, after close %+.0f MB"
              % (args.impl, "partial 60 MiB Pings" if partial else "unread Pongs", conns,
                 args.pong_node, sent, closed, before, peak - before, after - before))

    if args.each:
        for value in BAD_NEW_NID:
            run_phase(args, lambda c: new_nid(c, [value]))
        return 0
    phases = {"masters": masters, "admin": admin, "new_nid": new_nid,
              "pongs": lambda c: flood(c, 1, False)}
    for name in args.phases.split(","):
        kind = name.rstrip("0123456789")
        if kind in ("pongs", "partial") and name != kind:  # pongs8: 8 links
            run_phase(args, lambda c, n=int(name[len(kind):]), p=kind == "partial": flood(c, n, p))
        else:
            run_phase(args, phases[name])
    return 0


if __name__ == "__main__":
    sys.exit(main())
