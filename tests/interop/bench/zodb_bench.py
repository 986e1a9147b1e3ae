"""One side of the ZODB client benchmark: upstream's Python client
(neo.client.Storage, no ZODB.DB on top) against the cluster whose primary
master is argv[1] and whose name is argv[2]; argv[3] lists the server
processes (master, storages: "pid,pid"), argv[4]/argv[5] the numbers of
commits and of mixed operations. Prints one line per figure, "name value",
for zodb_bench (the C++ driver) to read:
  commit_s / commit_p50_ms / commit_p90_ms  1 client, transactions of 10
                                            new objects of 100-1000 bytes
  load_p50_us / load_p90_us                 cold loads (client cache emptied
                                            before each load)
  mixed_ops_s                               4 client processes, 20% commits
                                            (1 object), 80% cold loads
  *_cpu_ms                                  CPU time (user+system) the server
                                            processes spent in each phase
NEO_BENCH_CLIENT=neocpp runs the same workload through neocpp.Storage (our
C++ client library, python/) instead: its cold loads go through a storage
without cache (cache_size=0)."""
import multiprocessing, os, random, sys, time
from ZODB.Connection import TransactionMetaData
from ZODB.utils import z64

MASTER, NAME = sys.argv[1], sys.argv[2]
PIDS = [int(pid) for pid in sys.argv[3].split(',')]
COMMITS = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
MIXED_OPS = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
TICK = os.sysconf('SC_CLK_TCK')


def server_cpu_ms():
    total = 0
    for pid in PIDS:
        with open('/proc/%d/stat' % pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total * 1000. / TICK


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def commit(st, objects):
    """objects: [(oid, serial, data)]; returns the new tid."""
    txn = TransactionMetaData()
    st.tpc_begin(txn)
    for oid, serial, data in objects:
        st.store(oid, serial, data, '', txn)
    st.tpc_vote(txn)
    return st.tpc_finish(txn)


if os.getenv('NEO_BENCH_CLIENT') == 'neocpp':
    from neocpp import Storage

    def open_storage(cold=False):
        return Storage(master_nodes=MASTER, name=NAME,
                       cache_size=0 if cold else None)

    def cold_storage(st):
        return open_storage(cold=True)

    def cold_load(st, oid):
        return st.load(oid)  # st: without cache
else:
    from neo.client.Storage import Storage

    def open_storage(cold=False):
        return Storage(master_nodes=MASTER, name=NAME)

    def cold_storage(st):
        return st

    def cold_load(st, oid):
        app = st.app
        with app._cache_lock:
            app._cache.clear()
        return st.load(oid)


def mixed_worker(args):
    seed, ops, oids = args
    rnd = random.Random(seed)
    st = open_storage(cold=True)
    try:
        mine = [(st.new_oid(), z64)]
        for i in range(ops):
            if rnd.random() < 0.2:
                oid, serial = mine[0]
                mine[0] = oid, commit(st, [(oid, serial, os.urandom(rnd.randint(100, 1000)))])
            else:
                cold_load(st, rnd.choice(oids))
    finally:
        st.close()


def main():
    rnd = random.Random(1)
    st = open_storage()
    commit(st, [(st.new_oid(), z64, b'warm-up')])
    oids, latencies = [], []
    cpu = server_cpu_ms()
    start = time.perf_counter()
    for i in range(COMMITS):
        objects = [(st.new_oid(), z64, os.urandom(rnd.randint(100, 1000))) for _ in range(10)]
        t0 = time.perf_counter()
        commit(st, objects)
        latencies.append(time.perf_counter() - t0)
        oids.extend(oid for oid, _, _ in objects)
    elapsed = time.perf_counter() - start
    print('commit_cpu_ms %.0f' % (server_cpu_ms() - cpu))
    print('commit_s %.1f' % (COMMITS / elapsed))
    print('commit_p50_ms %.3f' % (percentile(latencies, .5) * 1e3))
    print('commit_p90_ms %.3f' % (percentile(latencies, .9) * 1e3))
    sample = rnd.sample(oids, min(len(oids), 2000))
    cold = cold_storage(st)
    loads = []
    cpu = server_cpu_ms()
    for oid in sample:
        t0 = time.perf_counter()
        cold_load(cold, oid)
        loads.append(time.perf_counter() - t0)
    print('load_p50_us %.1f' % (percentile(loads, .5) * 1e6))
    print('load_p90_us %.1f' % (percentile(loads, .9) * 1e6))
    print('load_cpu_ms %.0f' % (server_cpu_ms() - cpu))
    if cold is not st:
        cold.close()
    st.close()
    cpu = server_cpu_ms()
    start = time.perf_counter()
    with multiprocessing.get_context('fork').Pool(4) as pool:
        pool.map(mixed_worker, [(seed, MIXED_OPS // 4, oids) for seed in range(4)])
    print('mixed_ops_s %.1f' % (MIXED_OPS / (time.perf_counter() - start)))
    print('mixed_cpu_ms %.0f' % (server_cpu_ms() - cpu))


if __name__ == '__main__':
    main()
