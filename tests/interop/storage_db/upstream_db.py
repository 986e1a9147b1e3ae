# Drives NEO/py's storage database for the storage_db interoperability
# tests: SQLite (neo.storage.database.sqlite, PATH a file), or MySQL when
# NEO_DB_ADAPTER=MySQL (neo.storage.database.mysql, PATH its database
# string). Usage: upstream_db.py COMMAND PATH
#   write     create a database with the test scenario (same as the C++ one)
#   dump      print the canonical dump (same format as the C++ dumper)
#   hold      open (and lock) the database, create the file given as third
#             argument, then wait for a line on stdin
#   open      open and set up the database, print "ok" (or fail)
#   rows      print the schema (normalized) and every row of every table
#             (plain sqlite3 or SQL, no NEO logic)
#   write-big (MySQL) store values of 16 and 17 MiB (bigdata chunks) as
#             oids 1 and 2, print "oid size sha1" for each
#   read-big  print "oid size sha1" of oids 1 and 2 as getObject reads them
#   restore-upgrade-N (MySQL) replace the database by NEO/py's own dump of an
#             old (schema 0) storage, testStorageUpgrade-MySQL/sN.sql
#   cluster-write  run a NEO/py cluster (neomaster + neostorage) whose
#             storage creates PATH, commit with ZODB (stores, undo, pack), stop
#   cluster-read   run a NEO/py cluster whose storage serves the existing
#             PATH (cluster "interop") and print what a ZODB client reads
# Needs NEO/py and its dependencies on PYTHONPATH.
import os, re, sys
from binascii import hexlify

from neo.lib.protocol import CellStates, ZERO_OID, ZERO_TID, MAX_TID
from neo.lib.util import p64, u64, makeChecksum
from neo.storage.database.sqlite import SQLiteDatabaseManager

ADAPTER = os.environ.get('NEO_DB_ADAPTER', 'SQLite')
NP = 3
NID = 1
# zlib.compress(b'this is compressed, compressed, compressed')
COMPRESSED = (b'x\x9c+\xc9\xc8,V\x00\xa2\xe4\xfc\xdc\x82\xa2\xd4\xe2\xe2\xd4'
              b'\x14\x1d\x1cl\x00U\xd2\x10\x0c')


def h(b):
    return '-' if b is None else hexlify(bytes(b)).decode()


def n(x):
    return '-' if x is None else str(u64(x))


class App(object):
    last_pack_id = ZERO_TID
    disable_drop_partitions = False
    operational = False


def tid(i):
    return 0x03f84a50fb000000 + i * 7  # ttid = tid - NP: same partition


def open_dm(path):
    if ADAPTER == 'MySQL':
        from neo.storage.database.mysql import MySQLDatabaseManager
        return MySQLDatabaseManager(path)
    return SQLiteDatabaseManager(path)


def write(path):
    dm = open_dm(path)
    dm.setup()
    dm.setName('interop')
    dm.setUUID(NID)
    cells = [(p, NID, CellStates.UP_TO_DATE) for p in range(NP)]
    cells.append((0, 2, CellStates.OUT_OF_DATE))
    cells.append((1, 3, CellStates.CORRUPTED))
    app = App()
    app.dm = dm
    dm.changePartitionTable(app, 1, 1, cells, reset=True)
    dm.commit()

    def commit(i, objects, user=b'', desc=b'', ext=b'', pack=None, lock=True, unlock=True):
        ttid = p64(tid(i) - NP)
        final = p64(tid(i))
        store = []
        for oid, data, compression, data_serial in objects:
            checksum = None if data is None else makeChecksum(data)
            data_id = dm.holdData(checksum, p64(oid), data, compression,
                                  None if data_serial is None else p64(data_serial))
            store.append((p64(oid), data_id,
                          None if data_serial is None else p64(data_serial)))
        oids = [p64(o[0]) for o in objects]
        dm.storeTransaction(ttid, store, (oids, user, desc, ext, False, ttid))
        if pack:
            pack_oids, pack_tid = pack
            pack_oids = None if pack_oids is None else [p64(o) for o in pack_oids]
            dm.storePackOrder(ttid, None, bool(pack_oids), pack_oids, p64(pack_tid))
        dm.commit()
        if lock:
            dm.lockTransaction(final, ttid, bool(pack))
        if unlock:
            dm.unlockTransaction(final, ttid, True, bool(store), bool(pack))
            dm.commit()

    commit(1, [(0, b'root', 0, None), (1, b'one', 0, None), (2, COMPRESSED, 1, None)],
           user=b'alice', desc=b'first', ext=b'\x80\x03}q\x00.')
    commit(2, [(1, b'one, again', 0, None), (3, b'three', 0, None)], desc=b'second')
    commit(3, [(1, b'one', 0, tid(1))], desc=b'undo')            # undo back-pointer
    commit(4, [(3, None, 0, None)], desc=b'delete')              # deletion
    # A pack order (full: NEO/py storages crash on partial ones read back
    # from SQLite, whose oids getPackOrders returns unsplit), at a TID where
    # packing removes nothing, so that a cluster serving it reads stably.
    commit(5, [], desc=b'IStorage.pack', pack=(None, tid(1)))
    commit(6, [(4, b'four', 0, None)])
    commit(7, [(5, b'voted', 0, None)], lock=False, unlock=False)  # voted only
    commit(8, [(6, b'locked', 0, None)], unlock=False)             # locked
    dm.close()


BIG_SIZES = (1, 16 << 20), (2, 17 << 20)


def write_big(path):
    from hashlib import sha1
    dm = open_dm(path)
    dm.setup()
    dm.setName('interop')
    dm.setUUID(NID)
    app = App()
    app.dm = dm
    dm.changePartitionTable(app, 1, 0, [(0, NID, CellStates.UP_TO_DATE)], reset=True)
    dm.commit()
    for oid, size in BIG_SIZES:
        data = os.urandom(size)
        ttid, final = p64(tid(oid) - 1), p64(tid(oid))
        data_id = dm.holdData(makeChecksum(data), p64(oid), data, 0, None)
        dm.storeTransaction(ttid, [(p64(oid), data_id, None)],
                            ([p64(oid)], b'', b'big', b'', False, ttid))
        dm.commit()
        dm.lockTransaction(final, ttid, False)
        dm.unlockTransaction(final, ttid, True, True, False)
        dm.commit()
        print(oid, size, sha1(data).hexdigest())
    dm.close()


def read_big(path):
    from hashlib import sha1
    dm = open_dm(path)
    dm.setup()
    for oid, _ in BIG_SIZES:
        r = dm.getObject(p64(oid))
        print(oid, len(r[4]), sha1(r[4]).hexdigest())
    dm.close()


def dump(path):
    dm = open_dm(path)
    dm.setup()
    out = []
    w = out.append
    g = dm.getConfiguration
    w('config version=%s name=%s nid=%s ptid=%s replicas=%s backup_tid=%s truncate_tid=%s' % (
        g('version'), dm.getName(), dm.getUUID(), dm.getPTID(), dm.getNumReplicas(),
        n(dm.getBackupTID()), n(dm.getTruncateTID())))
    for row in sorted(dm._getPartitionTable()):
        w('pt %s %s %s %s' % tuple('-' if x is None else x for x in row))
    for cell in sorted(dm.getPartitionTable()):
        w('cell %s %s %s' % cell)
    last_tid, last_oid = dm.getLastIDs()
    w('last_ids %s %s' % (n(last_tid), n(last_oid)))
    w('first_tid %s' % n(dm.getFirstTID()))
    x = dm.getLastTID()
    w('last_tid %s' % ('-' if x is None else x))
    for ttid, t in sorted(dm.getUnfinishedTIDDict().items()):
        w('unfinished %s %s' % (n(ttid), n(t)))
    for pack_id, approved, partial, oids, pack_tid in dm.getPackOrders(ZERO_TID):
        w('pack_order %s %s %d %s %s' % (n(pack_id), '-' if approved is None else int(approved),
                                         partial, h(oids), n(pack_tid)))
    for offset, pack_id in sorted(dm.getPackedIDs().items()):
        w('packed %s %s' % (offset, n(pack_id)))
    readable = sorted(dm._readable_set)
    w('tids %s' % ' '.join(map(n, dm.getTIDList(0, 1000, readable))))
    for p in readable:
        count, digest, max_tid = dm.checkTIDRange(p, None, ZERO_TID, MAX_TID)
        w('check_tid %s %s %s %s' % (p, count, h(digest), n(max_tid)))
        r = dm.checkSerialRange(p, None, ZERO_TID, MAX_TID, ZERO_OID)
        w('check_serial %s %s %s %s %s %s' % (p, r[0], h(r[1]), n(r[2]), h(r[3]), n(r[4])))
        next_oid, oids = dm.oidsFrom(p, 1000, ZERO_OID, MAX_TID)
        w('oids_from %s %s %s' % (p, n(next_oid), ' '.join(map(n, oids))))
        for t in dm.getReplicationTIDList(ZERO_TID, MAX_TID, None, p):
            oids, user, desc, ext, packed, ttid, pack = dm.getTransaction(t)
            if pack is not None:
                a, partial, pack_oids, pack_tid = pack
                pack = '%s,%d,%s,%s' % ('-' if a is None else int(a), partial,
                                        '-' if pack_oids is None else h(b''.join(pack_oids)),
                                        n(pack_tid))
            w('trans %s oids=%s user=%s desc=%s ext=%s packed=%d ttid=%s pack=%s' % (
                n(t), h(b''.join(oids)), h(user), h(desc), h(ext), packed, n(ttid),
                '-' if pack is None else pack))
        seen = set()
        for serial, oid in dm.getReplicationObjectList(ZERO_TID, MAX_TID, None, p, ZERO_OID):
            for label, r in (('at', dm.getObject(oid, serial)),
                             ('before', dm.getObject(oid, None, p64(u64(serial) + 1)))):
                w('obj %s %s %s %s %s %s %s %s' % (
                    label, n(oid), n(r[0]), n(r[1]), '-' if r[2] is None else r[2],
                    h(r[3]), h(r[4]), n(r[5])))
            u = dm.findUndoTID(oid, None, serial, None)
            w('undo %s %s %s' % (n(oid), n(serial), '-' if u is None else
                                 '%s %s %d' % (n(u[0]), n(u[1]), u[2])))
            if oid not in seen:
                seen.add(oid)
                r = dm.getObject(oid)
                w('latest %s %s %s %s' % (n(oid), n(r[0]), n(r[1]), n(r[5])))
                w('history %s %s' % (n(oid), ' '.join('%s:%s' % (n(s), l) for s, l in
                                                      dm.getObjectHistoryWithLength(oid, 0, 1000))))
    dm.close()
    sys.stdout.write('\n'.join(out) + '\n')


def text(x):
    return x.decode() if isinstance(x, bytes) else x


def mysql_rows(path):
    dm = open_dm(path)
    conn = dm.conn

    def q(sql):
        conn.query(sql.encode())
        return conn.store_result().fetch_row(0)
    tables = sorted(text(t) for t, in q("SELECT table_name FROM information_schema.tables"
                                        " WHERE table_schema=DATABASE()"))
    for table in tables:
        create = text(q("SHOW CREATE TABLE " + table)[0][1])
        print('table', re.sub(r' AUTO_INCREMENT=[0-9]+', '', create))
    for table in tables:
        for row in sorted(q("SELECT * FROM " + table), key=repr):
            print(table, ' '.join(h(x) if isinstance(x, bytes) else
                                  '%s:%r' % (type(x).__name__, x) for x in row))
    dm.close()


def rows(path):
    if ADAPTER == 'MySQL':
        return mysql_rows(path)
    import sqlite3
    c = sqlite3.connect(path)
    q = lambda sql, *args: c.execute(sql, args).fetchall()
    for table, in q("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        print('table', table, q("SELECT wr FROM pragma_table_list WHERE name=?", table)[0][0],
              q("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", table))
    for index, table in q("SELECT name, tbl_name FROM sqlite_master WHERE type='index'"
                          " AND name NOT LIKE 'sqlite_%' ORDER BY name"):
        print('index', index, table,
              q("SELECT \"unique\" FROM pragma_index_list(?) WHERE name=?", table, index),
              q("SELECT name FROM pragma_index_info(?)", index))
    for table, in q("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        for row in sorted(q("SELECT * FROM " + table), key=repr):
            print(table, ' '.join(h(x) if isinstance(x, bytes) else
                                  '%s:%r' % (type(x).__name__, x) for x in row))


class Cluster(object):
    """neomaster + neostorage (ADAPTER on `path`) on loopback."""

    def __init__(self, path, name, partitions=3):
        import os, socket, subprocess, tempfile
        import neo
        root = os.path.dirname(os.path.dirname(os.path.abspath(neo.__file__)))
        self.dir = tempfile.mkdtemp(prefix='neo-storage-db-cluster-')

        def port():
            s = socket.socket()
            s.bind(('127.0.0.1', 0))
            try:
                return s.getsockname()[1]
            finally:
                s.close()
        self.master = '127.0.0.1:%d' % port()
        storage = '127.0.0.1:%d' % port()
        self.name = name
        self.processes = [
            subprocess.Popen([sys.executable, root + '/neomaster', '-l', self.dir + '/master.log',
                              '-c', name, '-b', self.master, '-m', self.master, '-A', '1',
                              '-p', str(partitions), '-r', '0']),
            subprocess.Popen([sys.executable, root + '/neostorage', '-l', self.dir + '/storage.log',
                              '-c', name, '-b', storage, '-m', self.master, '-a', ADAPTER,
                              '-d', path]),
        ]

    def storage(self):
        from neo.client.Storage import Storage
        return Storage(master_nodes=self.master, name=self.name)

    def stop(self):
        import shutil, signal
        for p in reversed(self.processes):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.processes:
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def cluster_write(path):
    import time, transaction, ZODB
    from persistent.mapping import PersistentMapping
    cluster = Cluster(path, 'upstream')
    try:
        storage = cluster.storage()
        storage.app.wait_for_pack = True  # so that the pack is done when we stop
        db = ZODB.DB(storage)
        c = db.open()
        r = c.root()
        r['a'] = PersistentMapping(x=1)
        r['b'] = PersistentMapping(y='b' * 1000)  # compressed by the client
        transaction.get().note(u'first')
        transaction.get().setUser(u'alice')
        transaction.commit()
        r['a']['x'] = 2
        r['c'] = PersistentMapping(z=3)
        transaction.commit()
        r['a']['x'] = 3
        transaction.commit()
        db.undo(db.undoLog(0, 1)[0]['id'])  # undo back-pointer
        transaction.commit()
        r['d'] = PersistentMapping(w=4)
        transaction.commit()
        del r['d']
        transaction.commit()
        t = time.time()
        time.sleep(0.1)
        r['a']['x'] = 5
        transaction.commit()
        db.pack(t)
        c.close()
        db.close()
    finally:
        cluster.stop()


def cluster_read(path):
    from ZODB.POSException import POSKeyError
    cluster = Cluster(path, 'interop')
    out = []
    w = out.append
    try:
        st = cluster.storage()
        w('last %s' % n(st.lastTransaction()))
        for oid in range(8):
            oid = p64(oid)
            try:
                data, serial = st.load(oid)
            except POSKeyError:
                w('load %s POSKeyError' % n(oid))
                continue
            w('load %s %s %s' % (n(oid), h(data), n(serial)))
            for d in st.history(oid, size=100):
                w('history %s %s %s' % (n(oid), n(d['tid']), d['size']))
                try:
                    w('serial %s %s' % (n(oid), h(st.loadSerial(oid, d['tid']))))
                except POSKeyError:
                    w('serial %s POSKeyError' % n(oid))
                before = st.loadBefore(oid, p64(u64(d['tid']) + 1))
                w('before %s %s' % (n(oid), '-' if before is None else
                                    '%s %s %s' % (h(before[0]), n(before[1]), n(before[2]))))
        for txn in st.iterator():
            w('txn %s %s %s %s %s' % (n(txn.tid), txn.status, h(txn.user),
                                      h(txn.description), h(txn.extension_bytes)))
            for record in txn:
                w('record %s %s %s %s' % (n(record.oid), n(record.tid), h(record.data),
                                          n(record.data_txn)))
        for d in st.undoLog(0, 100):
            w('undo %s %s' % (h(d['id']), h(d['description'])))
        st.close()
    finally:
        cluster.stop()
    sys.stdout.write('\n'.join(out) + '\n')


def main():
    command, path = sys.argv[1:3]
    if command == 'write':
        write(path)
    elif command == 'dump':
        dump(path)
    elif command == 'hold':
        dm = open_dm(path)
        open(sys.argv[3], 'w').close()
        sys.stdin.readline()
        dm.close()
    elif command.startswith('restore-upgrade-'):
        import neo
        dump_file = os.path.join(os.path.dirname(neo.__file__), 'tests', 'threaded',
                                 'testStorageUpgrade-MySQL', 's%s.sql' % command[16:])
        dm = open_dm(path)
        with open(dump_file) as f:
            dm.restore(f.read())
        dm.close()
    elif command == 'write-big':
        write_big(path)
    elif command == 'read-big':
        read_big(path)
    elif command == 'cluster-write':
        cluster_write(path)
    elif command == 'cluster-read':
        cluster_read(path)
    elif command == 'rows':
        rows(path)
    elif command == 'open':
        dm = open_dm(path)
        dm.setup()
        dm.close()
        print('ok')
    else:
        sys.exit('unknown command ' + command)


if __name__ == '__main__':
    main()
