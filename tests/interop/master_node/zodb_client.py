# ZODB through upstream's neo.client against a cluster (our master):
# commit, load from a second connection, a write conflict, undo.
# Usage: zodb_client.py MASTER_ADDRESS CLUSTER_NAME; prints "OK" on success.
import sys
import transaction
import ZODB
from ZODB.POSException import ConflictError
from persistent.mapping import PersistentMapping
from neo.client.Storage import Storage


def main(master, name):
    db = ZODB.DB(Storage(master_nodes=master, name=name))
    try:
        tm1 = transaction.TransactionManager()
        c1 = db.open(tm1)
        root = c1.root()
        root['a'] = PersistentMapping({'x': 1})
        tm1.commit()
        root['a']['x'] = 2
        tm1.get().note(u'second')
        tm1.commit()
        # load from another connection
        tm2 = transaction.TransactionManager()
        c2 = db.open(tm2)
        assert c2.root()['a']['x'] == 2, c2.root()['a']
        # conflict: both change the same object
        c2.root()['a']['x'] = 20
        root['a']['x'] = 10
        tm1.commit()
        try:
            tm2.commit()
        except ConflictError:
            tm2.abort()
        else:
            raise AssertionError('no conflict')
        tm2.begin()
        assert c2.root()['a']['x'] == 10, c2.root()['a']
        # undo the last transaction: back to 2
        last = db.undoLog(0, 1)[0]
        db.undo(last['id'], tm1.get())
        tm1.commit()
        tm1.begin()
        assert root['a']['x'] == 2, root['a']
        # many oids and transactions
        for i in range(20):
            root['k%d' % i] = PersistentMapping({'i': i})
            tm1.commit()
        tm2.begin()
        assert c2.root()['k19']['i'] == 19
        print('last transaction', db.lastTransaction().hex())
    finally:
        db.close()
    print('OK')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
