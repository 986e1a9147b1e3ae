"""A ZODB application on neocpp.Storage, opened through zope.conf's
component (`%import neocpp`, <NEOStorage>): argv = master, cluster name.
Two processes add keys to one BTree (same buckets) and count them in one
BTrees.Length, so most of their commits conflict and are resolved by ZODB's
conflict resolution; then a commit is undone. Prints one line per check."""
import multiprocessing, sys, threading, transaction, ZODB.config
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from ZODB.POSException import ConflictError

MASTER, NAME = sys.argv[1], sys.argv[2]
PER_PROCESS = 50
CONF = """
%%import neocpp
<zodb>
  <NEOStorage>
    master_nodes %s
    name %s
    cache-size 1MB
  </NEOStorage>
</zodb>
""" % (MASTER, NAME)


def open_db():
    return ZODB.config.databaseFromString(CONF)


def worker(index, barrier, results):
    """Adds PER_PROCESS keys, each commit starting with the other process's
    at a barrier (both changed the same objects from the same revisions):
    puts (conflict resolutions, commits retried) in `results`."""
    db = open_db()
    storage = db.storage
    resolve, resolutions = storage.tryToResolveConflict, []

    def counting(*args, **kw):
        resolutions.append(args[0])
        return resolve(*args, **kw)
    storage.tryToResolveConflict = counting
    tm = transaction.TransactionManager()
    conn = db.open(tm)
    retries = 0
    for i in range(PER_PROCESS):
        while True:
            root = conn.root()
            root['tree']['k%d.%03d' % (index, i)] = i
            root['count'].change(1)
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass  # the other one is done
            try:
                tm.commit()
                break
            except ConflictError:
                tm.abort()
                retries += 1
    barrier.abort()  # the other one may still retry alone
    conn.close()
    db.close()
    results.put((len(resolutions), retries))


def run_workers():
    ctx = multiprocessing.get_context('fork')
    barrier, results = ctx.Barrier(2, timeout=10), ctx.Queue()
    workers = [ctx.Process(target=worker, args=(i, barrier, results))
               for i in range(2)]
    for w in workers:
        w.start()
    outcome = [results.get(timeout=300) for _ in workers]
    for w in workers:
        w.join()
    return outcome


def main():
    db = open_db()
    print('storage %s' % type(db.storage).__module__)
    with db.transaction() as conn:
        conn.root()['tree'] = OOBTree()
        conn.root()['count'] = Length()
    outcome = run_workers()
    sys.stderr.write('resolutions, retries: %r\n' % (outcome,))
    db.storage.sync()
    conn = db.open()
    tree, count = conn.root()['tree'], conn.root()['count']
    print('keys %d' % len(tree))
    print('count %d' % count())
    print('resolved %s' % ('yes' if sum(r for r, _ in outcome) >= PER_PROCESS
                           else 'no'))
    conn.close()
    undo_last(db)
    db.close()


def undo_last(db):
    with db.transaction('set marker') as conn:
        conn.root()['marker'] = 'set'
    last = db.undoLog(0, 1)[0]
    description = last['description']
    if isinstance(description, bytes):
        description = description.decode()
    print('last %s' % description)
    db.undo(last['id'])
    transaction.commit()
    with db.transaction() as conn:
        print('marker %s' % conn.root().get('marker', 'undone'))
        tree = conn.root()['tree']
        print('after undo keys %d' % len(tree))


if __name__ == '__main__':
    main()
