"""neocpp.Storage's own checks against a running cluster (argv: master,
cluster name): what ZODB's conformance suite does not show, namely the
exceptions of bad input (as neo.client.Storage's), read-only mode,
invalidations handed to the registered DB, the GIL released while waiting
(threads and a connection pool), conflicts and read conflicts. Exit status
0 when every check passes (unittest)."""
import sys, threading, time, unittest
import transaction, ZODB
from persistent.mapping import PersistentMapping
from ZODB.Connection import TransactionMetaData
from ZODB.POSException import (ConflictError, POSKeyError, ReadConflictError,
                               ReadOnlyError)
from ZODB.utils import p64, z64

import neocpp
from neocpp.config import compress

MASTER, NAME = sys.argv.pop(1), sys.argv.pop(1)


def storage(**kw):
    return neocpp.Storage(master_nodes=MASTER, name=NAME, **kw)


def commit(st, objects, description=b''):
    """objects: [(oid, serial, data)]; returns the TID."""
    txn = TransactionMetaData(description=description)
    st.tpc_begin(txn)
    for oid, serial, data in objects:
        st.store(oid, serial, data, '', txn)
    st.tpc_vote(txn)
    return st.tpc_finish(txn)


class FakeDB(object):
    def __init__(self):
        self.calls = []

    def invalidate(self, tid, oids):
        self.calls.append((tid, list(oids)))


class BadInput(unittest.TestCase):

    def test_unreachable_master_raises_primary_master_lost(self):
        with self.assertRaises(neocpp.NEOPrimaryMasterLost):
            neocpp.Storage(master_nodes='127.0.0.1:1', name=NAME, timeout=2)

    def test_wrong_cluster_name_raises_primary_master_lost(self):
        with self.assertRaises(neocpp.NEOPrimaryMasterLost):
            neocpp.Storage(master_nodes=MASTER, name=NAME + '-wrong', timeout=3)

    def test_a_closed_storage_raises_as_neo_client(self):
        st = storage()
        st.close()
        self.assertRaises(AttributeError, st.load, z64)
        st.close()  # twice is fine

    def test_missing_objects_raise_poskeyerror(self):
        st = storage()
        try:
            missing = p64(1 << 40)
            self.assertRaises(POSKeyError, st.load, missing)
            self.assertRaises(POSKeyError, st.loadSerial, missing, p64(1))
            self.assertRaises(POSKeyError, st.loadBefore, missing, p64(1 << 62))
            self.assertRaises(POSKeyError, st.history, missing)
        finally:
            st.close()

    def test_unknown_keyword_raises_typeerror(self):
        self.assertRaises(TypeError, storage, no_such_option=1)

    def test_compress_values_of_zope_conf(self):
        self.assertIs(compress('false'), False)
        self.assertIs(compress('zlib=6'), True)
        self.assertRaises(ValueError, compress, 'lz4')


class Revisions(unittest.TestCase):

    def setUp(self):
        self.st = storage()

    def tearDown(self):
        self.st.close()

    def test_store_load_before_history_and_delete(self):
        st = self.st
        oid = st.new_oid()
        t1 = commit(st, [(oid, z64, b'one')])
        t2 = commit(st, [(oid, t1, b'two')])
        self.assertEqual(st.load(oid), (b'two', t2))
        self.assertEqual(st.loadSerial(oid, t1), b'one')
        self.assertEqual(st.loadBefore(oid, t2), (b'one', t1, t2))
        self.assertIsNone(st.loadBefore(oid, t1))
        self.assertEqual([h['tid'] for h in st.history(oid, 5)], [t2, t1])
        self.assertEqual(st.lastTransaction(), t2)
        txn = TransactionMetaData()
        st.tpc_begin(txn)
        st.deleteObject(oid, t2, txn)
        st.tpc_vote(txn)
        st.tpc_finish(txn)
        self.assertRaises(POSKeyError, st.load, oid)

    def test_unresolvable_conflict_raises_conflicterror(self):
        st, other = self.st, storage()
        try:
            oid = st.new_oid()
            t1 = commit(st, [(oid, z64, b'base')])
            commit(other, [(oid, t1, b'theirs')])
            self.assertRaises(ConflictError, commit, st, [(oid, t1, b'mine')])
        finally:
            other.close()

    def test_read_conflict_raises_readconflicterror(self):
        st, other = self.st, storage()
        try:
            a, b = st.new_oid(), st.new_oid()
            t1 = commit(st, [(a, z64, b'a'), (b, z64, b'b')])
            commit(other, [(b, t1, b'b2')])
            txn = TransactionMetaData()
            st.tpc_begin(txn)
            st.store(a, t1, b'a2', '', txn)
            st.checkCurrentSerialInTransaction(b, t1, txn)
            self.assertRaises(ReadConflictError, st.tpc_vote, txn)
            st.tpc_abort(txn)
        finally:
            other.close()

    def test_iterator_lists_the_transactions(self):
        st = self.st
        oid = st.new_oid()
        tid = commit(st, [(oid, z64, b'x')], b'iterated')
        found = [t for t in st.iterator(tid, tid)]
        self.assertEqual([t.description for t in found], [b'iterated'])
        self.assertEqual([(r.oid, r.data) for r in found[0]], [(oid, b'x')])


class ReadOnly(unittest.TestCase):

    def test_writes_raise_readonlyerror(self):
        st = storage(read_only=True)
        try:
            self.assertTrue(st.isReadOnly())
            txn = TransactionMetaData()
            self.assertRaises(ReadOnlyError, st.new_oid)
            self.assertRaises(ReadOnlyError, st.tpc_begin, txn)
            self.assertRaises(ReadOnlyError, st.store, z64, z64, b'', '', txn)
            st.lastTransaction()
        finally:
            st.close()


class Invalidations(unittest.TestCase):

    def test_other_clients_commits_reach_the_registered_db(self):
        writer, reader, db = storage(), storage(), FakeDB()
        try:
            reader.registerDB(db)
            oid = writer.new_oid()
            tid = commit(writer, [(oid, z64, b'x')])
            reader.sync()
            self.assertIn((tid, [oid]), db.calls)
            self.assertEqual(reader.lastTransaction(), tid)
        finally:
            writer.close()
            reader.close()


class Threads(unittest.TestCase):

    def test_a_connection_pool_commits_from_threads(self):
        db = ZODB.DB(storage())
        try:
            with db.transaction() as conn:
                for i in range(4):
                    conn.root()[i] = PersistentMapping()
            threads = [threading.Thread(target=self._commits, args=(db, i))
                       for i in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            with db.transaction() as conn:
                self.assertEqual([len(conn.root()[i]) for i in range(4)],
                                 [20] * 4)
        finally:
            db.close()

    @staticmethod
    def _commits(db, i):
        tm = transaction.TransactionManager()
        conn = db.open(tm)
        for n in range(20):
            conn.root()[i][n] = n
            tm.commit()
        conn.close()

    def test_the_gil_is_released_while_waiting(self):
        st = storage()
        ticks = []
        stop = threading.Event()

        def count():
            while not stop.is_set():
                ticks.append(1)
                time.sleep(0)
        try:
            oid = st.new_oid()
            counter = threading.Thread(target=count)
            counter.start()
            tid = commit(st, [(oid, z64, b'x')])
            before = len(ticks)
            for _ in range(50):
                st.sync()
            stop.set()
            counter.join()
            self.assertGreater(len(ticks), before)
            self.assertEqual(st.load(oid)[1], tid)
        finally:
            stop.set()
            st.close()


if __name__ == '__main__':
    unittest.main(verbosity=2)
