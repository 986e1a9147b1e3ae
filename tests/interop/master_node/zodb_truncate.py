# ZODB through upstream's neo.client against a cluster (our master), for
# the truncation test: "commit" commits 5 transactions (n = i, a new object
# k<i> each) and prints "tid <i> <hex>" for each; "check" prints
# "last <hex> n <n> keys <sorted k* keys>".
# Usage: zodb_truncate.py MASTER_ADDRESS CLUSTER_NAME commit|check
import sys
import transaction
import ZODB
from persistent.mapping import PersistentMapping
from neo.client.Storage import Storage


def main(master, name, mode):
    db = ZODB.DB(Storage(master_nodes=master, name=name))
    try:
        tm = transaction.TransactionManager()
        root = db.open(tm).root()
        if mode == 'commit':
            for i in range(5):
                root['n'] = i
                root['k%d' % i] = PersistentMapping({'i': i})
                tm.commit()
                print('tid %d %s' % (i, db.lastTransaction().hex()))
        else:
            keys = sorted(k for k in root.keys() if k.startswith('k'))
            print('last %s n %s keys %s' % (db.lastTransaction().hex(),
                                            root.get('n'), ','.join(keys)))
    finally:
        db.close()


if __name__ == '__main__':
    main(*sys.argv[1:4])
