"""ZODB through upstream's client on a replicated cluster of ours while one
storage is killed: argv = master, cluster name, pid to SIGKILL, commits.
Four threads commit in turn (each its own object, plus a shared counter
resolved by BTrees.Length); after a third of the commits the given storage
process is killed; commits go on. Every transaction whose commit returned
is then read back by a new client (empty cache). Prints "killed", then
"committed N", "read N" and the counter."""
import os, signal, sys, threading, transaction, ZODB
from BTrees.Length import Length
from neo.client.Storage import Storage
from persistent.mapping import PersistentMapping
from ZODB.POSException import ConflictError

master, name, victim, commits = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
THREADS = 4
db = ZODB.DB(Storage(master_nodes=master, name=name))
tm = transaction.TransactionManager()
c = db.open(tm)
root = c.root()
root['n'] = Length()
for t in range(THREADS):
    root['t%d' % t] = PersistentMapping()
tm.commit()
c.close()

done = []           # (thread, i): commits that returned
lock = threading.Lock()
killed = threading.Event()


def worker(t):
    tm = transaction.TransactionManager()
    c = db.open(tm)
    for i in range(commits // THREADS):
        while True:
            c.root()['t%d' % t][i] = 'value %d.%d' % (t, i)
            c.root()['n'].change(1)
            try:
                tm.commit()
                break
            except ConflictError:
                tm.abort()
        with lock:
            done.append((t, i))
            if len(done) >= commits // 3 and not killed.is_set():
                killed.set()
                os.kill(victim, signal.SIGKILL)
                print('killed')
                sys.stdout.flush()
    c.close()


threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
[t.start() for t in threads]
[t.join() for t in threads]
db.close()
print('committed %d' % len(done))

db = ZODB.DB(Storage(master_nodes=master, name=name))
root = db.open().root()
print('read %d' % sum(root['t%d' % t].get(i) == 'value %d.%d' % (t, i) for t, i in done))
print('counter %d' % root['n']())
db.close()
