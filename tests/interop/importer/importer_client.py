# Upstream's ZODB client (neo.client.Storage) against our cluster whose
# storage runs the Importer backend.
#   importer_client.py read MASTER NAME MANIFEST
#     every revision and transaction the manifest lists (written by ZODB),
#     read through NEO; prints "OK".
#   importer_client.py writeback MASTER NAME FILE
#     commits through NEO (a new object in the imported root, metadata,
#     undo of a new and of the last imported transaction, deleteObject), then
#     reads FILE with ZODB's FileStorage: every object loads as NEO loads
#     it; prints the new tids as JSON, then "OK".
import hashlib
import json
import sys
import time

import transaction
import ZODB
from persistent.mapping import PersistentMapping
from ZODB.FileStorage import FileStorage
from ZODB.POSException import POSKeyError
from ZODB.utils import p64, u64
from neo.client.Storage import Storage


def sha1(data):
    return hashlib.sha1(data).hexdigest()


def read(master, name, manifest_path):
    with open(manifest_path) as f:
        manifest = json.load(f)
    storage = Storage(master_nodes=master, name=name, read_only=True)
    try:
        assert storage.lastTransaction().hex() == manifest['last_tid']
        for txn in manifest['transactions']:
            tid = bytes.fromhex(txn['tid'])
            for record in txn['records']:
                oid = bytes.fromhex(record['oid'])
                try:
                    data = storage.loadSerial(oid, tid)
                except POSKeyError:
                    data = None
                got = data and sha1(data)
                assert got == record['data_sha1'], (txn['tid'], record, got)
        for obj in manifest['objects']:
            oid = bytes.fromhex(obj['oid'])
            try:
                data, serial = storage.load(oid)
            except POSKeyError:
                assert obj['tid'] is None, obj
                continue
            assert serial.hex() == obj['tid'] and sha1(data) == obj['data_sha1'], obj
        seen = [t.tid.hex() for t in storage.iterator()]
        assert seen == [t['tid'] for t in manifest['transactions']], seen
        for t, expected in zip(storage.iterator(), manifest['transactions']):
            assert t.user.hex() == expected['user_hex'], t.tid
            assert t.description.hex() == expected['description_hex'], t.tid
            assert t.extension_bytes.hex() == expected['extension_hex'], t.tid
    finally:
        storage.close()
    print('OK')


def writeback(master, name, path):
    db = ZODB.DB(Storage(master_nodes=master, name=name))
    tids = []

    def commit(tm):
        tm.commit()
        tids.append(db.lastTransaction())

    try:
        tm = transaction.TransactionManager()
        conn = db.open(tm)
        root = conn.root()  # imported
        root['wb'] = PersistentMapping({'n': 0})
        tm.get().note(u'new container')
        commit(tm)
        root['wb']['n'] = 1
        t = tm.get()
        t.setUser(u'\xe9l\xe8ve')
        t.note(u'change a new object')
        t.setExtendedInfo('key', [1, 2])
        commit(tm)
        db.undo(tids[-1], tm.get())  # NEO's undo id is the tid
        commit(tm)
        imported_last = db.undoLog(0, 10)[3]['id']
        assert u64(imported_last) < u64(tids[0])
        db.undo(imported_last, tm.get())
        commit(tm)
        oid = root['wb']._p_oid
        del root['wb']
        commit(tm)
        storage = db.storage
        t = transaction.TransactionManager().begin()
        storage.tpc_begin(t)
        storage.deleteObject(oid, storage.load(oid)[1], t)
        storage.tpc_vote(t)
        storage.tpc_finish(t)
        tids.append(storage.lastTransaction())
        conn.close()
        # Writeback is asynchronous: it follows the storage's (deferred) commits.
        deadline = time.time() + 30
        while True:
            fs = FileStorage(path, read_only=True)
            if fs.lastTransaction() == tids[-1] or time.time() > deadline:
                break
            fs.close()
            time.sleep(.1)
        try:
            assert fs.lastTransaction() == tids[-1], (fs.lastTransaction().hex(), tids[-1].hex())
            for i in range(u64(fs._oid) + 1):  # _oid: the greatest oid in the file
                o = p64(i)
                try:
                    expected = storage.load(o)
                except POSKeyError:
                    expected = None
                try:
                    got = fs.load(o)
                except POSKeyError:
                    got = None
                assert got == expected, (i, got and got[1].hex(), expected and expected[1].hex())
        finally:
            fs.close()
    finally:
        db.close()
    print(json.dumps([t.hex() for t in tids]))
    print('OK')


if __name__ == '__main__':
    {'read': read, 'writeback': writeback}[sys.argv[1]](*sys.argv[2:])
