"""ZODB data for the replication interop tests, through upstream's client.

  replication.py commit MASTER NAME PREFIX COUNT [STOPFILE]
    Commits COUNT transactions (with STOPFILE: at least COUNT, then on until
    STOPFILE exists, printing "+" after each commit), each adding
    tree[PREFIX<i>] = {'v': value(key)} and    changing one of five shared objects and a counter; every tenth carries a
    compressible value of ~20 KB, others 3 KB of random bytes. With PREFIX
    "a", also an undone transaction (a record pointing to older data).
    Prints "committed N".
  replication.py pack MASTER NAME
    Packs at the last TID and waits until every storage did; prints "packed".
  replication.py dump MASTER NAME
    Reads every transaction and record (storage iterator, records loaded one
    by one) and every key of the tree; prints their count and digest, then
    "keys K bad B counter C" (B: values that differ from value(key)).
"""
import hashlib, os, random, sys, time, transaction, ZODB
from BTrees.Length import Length
from BTrees.OOBTree import OOBTree
from neo.client.Storage import Storage
from persistent.mapping import PersistentMapping


def value(key):
    i = int(key[1:])
    if i % 10 == 0:
        return (key * 5000).encode()
    if i % 10 == 5:
        return random.Random(key).getrandbits(8 * 3000).to_bytes(3000, 'little')
    return key * 20


def open_db(master, name):
    return ZODB.DB(Storage(master_nodes=master, name=name))


def commit(master, name, prefix, count, stopfile=None):
    db = open_db(master, name)
    c = db.open()
    root = c.root()
    if 'tree' not in root:
        root['tree'] = OOBTree()
        root['n'] = Length()
        root['hot'] = [PersistentMapping() for _ in range(5)]
        root['u'] = PersistentMapping(v=0)
        transaction.commit()
    tree = root['tree']
    done = 0
    while done < count or (stopfile and not os.path.exists(stopfile)):
        key = '%s%d' % (prefix, done)
        tree[key] = PersistentMapping(v=value(key))
        root['hot'][done % 5]['last'] = key
        root['n'].change(1)
        transaction.get().note(key)
        transaction.commit()
        done += 1
        if stopfile:
            print('+', flush=True)
    if prefix == 'a':
        root['u']['v'] = 1
        transaction.commit()
        root['u']['v'] = 2
        transaction.commit()
        db.undo(db.undoLog(0, 1)[0]['id'])
        transaction.commit()
    db.close()
    print('committed %d' % done)


def pack(master, name):
    storage = Storage(master_nodes=master, name=name)
    storage.app.wait_for_pack = True
    storage.pack(time.time())
    storage.close()
    print('packed')


def dump(master, name):
    storage = Storage(master_nodes=master, name=name)
    sha = hashlib.sha1()
    transactions = records = 0
    for txn in storage.iterator():
        transactions += 1
        sha.update(repr((txn.tid, txn.user, txn.description, txn.extension)).encode())
        for record in txn:
            records += 1
            sha.update(repr((record.oid, record.data, record.data_txn)).encode())
    print('transactions %d records %d sha1 %s' % (transactions, records, sha.hexdigest()))
    db = ZODB.DB(storage)
    root = db.open().root()
    tree = root['tree']
    bad = sum(tree[key]['v'] != value(key) for key in tree.keys())
    print('keys %d bad %d counter %d u %d' % (len(tree), bad, root['n'](), root['u']['v']))
    db.close()


if __name__ == '__main__':
    if sys.argv[1] == 'commit':
        commit(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]),
               sys.argv[6] if len(sys.argv) > 6 else None)
    elif sys.argv[1] == 'pack':
        pack(sys.argv[2], sys.argv[3])
    else:
        dump(sys.argv[2], sys.argv[3])
