#!/usr/bin/env python3
"""Makes the FileStorage of neomigrate's benchmark (issue 15): about 50 MB,
100,000 small objects in a BTree, then rounds of updates. Written by ZODB
itself (run it with upstream ZODB on PYTHONPATH, e.g. the peer's):

  PYTHONPATH=/work/peer/ZODB/src:... python3 make_bench_fs.py /tmp/bench.fs

Deterministic (seeded). The output is not committed: write it to /tmp.
"""
import os
import random
import sys

import transaction
from BTrees.IOBTree import IOBTree
from persistent.mapping import PersistentMapping
from ZODB import DB
from ZODB.FileStorage import FileStorage

OBJECTS = 100000
PER_CREATE = 1000  # objects per creating transaction
ROUNDS = 3  # update rounds, each on a quarter of the objects
PER_UPDATE = 100  # objects per updating transaction


def payload(rng):
    return ''.join(rng.choice('abcdefghijklmnopqrstuvwxyz ') for _ in range(rng.randint(100, 160)))


def main(path):
    if os.path.exists(path):
        sys.exit('%s exists' % path)
    rng = random.Random(15)
    db = DB(FileStorage(path))
    conn = db.open()
    root = conn.root()
    root['items'] = tree = IOBTree()
    transaction.get().note(u'bench: create the tree')
    transaction.commit()
    for start in range(0, OBJECTS, PER_CREATE):
        for i in range(start, start + PER_CREATE):
            tree[i] = PersistentMapping({'n': i, 'text': payload(rng)})
        txn = transaction.get()
        txn.setUser(u'bench')
        txn.note(u'create %d..%d' % (start, start + PER_CREATE - 1))
        transaction.commit()
    for r in range(ROUNDS):
        keys = rng.sample(range(OBJECTS), OBJECTS // 4)
        for start in range(0, len(keys), PER_UPDATE):
            for k in keys[start:start + PER_UPDATE]:
                item = tree[k]
                item['n'] += 1
                item['text'] = payload(rng)
            transaction.get().note(u'round %d update %d' % (r, start // PER_UPDATE))
            transaction.commit()
        conn.cacheMinimize()
    db.close()
    print('%s: %d bytes' % (path, os.path.getsize(path)))


if __name__ == '__main__':
    main(sys.argv[1])
