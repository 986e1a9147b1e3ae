# Makes a FileStorage for the Importer and neomigrate benchmarks, with ZODB
# (the peer's): OBJECTS small persistent objects in an OOBTree, committed
# 1000 per transaction, then ROUNDS rounds that each change 5% of them (500
# per transaction). Deterministic (seeded). The defaults give ~50 MB.
# Usage: make_filestorage.py PATH [OBJECTS [ROUNDS]]
import random
import sys

import transaction
import ZODB
from BTrees.OOBTree import OOBTree
from persistent.mapping import PersistentMapping
from ZODB.FileStorage import FileStorage


def main(path, objects=100000, rounds=12):
    rng = random.Random(5)
    db = ZODB.DB(FileStorage(path))
    conn = db.open()
    root = conn.root()
    root['tree'] = tree = OOBTree()
    transaction.commit()
    for start in range(0, objects, 1000):
        for i in range(start, min(objects, start + 1000)):
            tree['k%07d' % i] = PersistentMapping(
                {'i': i, 'name': 'object %d' % i, 'data': 'x' * rng.randrange(20, 200)})
        transaction.get().note(u'add %d' % start)
        transaction.commit()
    for r in range(rounds):
        changed = rng.sample(range(objects), objects // 20)
        for n, i in enumerate(changed):
            tree['k%07d' % i]['data'] = 'y' * rng.randrange(20, 200)
            if n % 500 == 499:
                transaction.get().note(u'round %d' % r)
                transaction.commit()
        transaction.commit()
    db.close()


if __name__ == '__main__':
    main(sys.argv[1], *map(int, sys.argv[2:]))
