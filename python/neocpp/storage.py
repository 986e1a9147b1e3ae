"""neocpp.Storage: a ZODB storage on NEO's C++ client library (_neocpp), for
applications written for NEO/py's neo.client.Storage: the same keyword
arguments, interfaces and exceptions.

The library does the network: every call into it releases the GIL. It
queues the invalidations it receives (other clients' commits); they reach
ZODB (the DB given to registerDB) when ZODB asks for the last transaction
(lastTransaction, sync, at the start of each ZODB transaction) and when
this storage commits, so that lastTransaction() never returns a TID whose
invalidations ZODB has not seen. Conflicts met by a vote are resolved with
ZODB's tryToResolveConflict, stored again and voted again (the library
relocks objects itself when storages report a possible deadlock).

Thread-safe as neo.client.Storage: any thread may call it; a ZODB
transaction is driven by one thread at a time."""
import threading

from ZODB import BaseStorage, ConflictResolution
from ZODB.POSException import (ConflictError, POSKeyError, ReadConflictError,
                               ReadOnlyError, StorageTransactionError,
                               UndoError)
from ZODB.TimeStamp import TimeStamp
from ZODB._compat import loads
from ZODB.utils import u64, z64
from zope.interface import implementer
import ZODB.interfaces

from . import _neocpp, iterator as _iterator
from .util import masters as _masters, metadata as _metadata, tid_from_time
from .exception import (Error, NEOStorageDoesNotExistError,
                        NEOStorageNotFoundError, connect_error, translate)

_UNSUPPORTED = ('dynamic_master_list', 'ignore_wrong_checksum')


def _call(fn, *args, oid=None):
    try:
        return fn(*args)
    except Error as e:
        raise translate(e, oid) from None


class _Context(object):
    """A ZODB transaction in progress: the library's, what was stored."""

    def __init__(self, txn):
        self.txn = txn
        self.data = {}      # oid -> (data or None, serial), for resolution
        self.resolved = {}  # oid -> the committed serial resolved against
        self.voted = False


@implementer(
    ZODB.interfaces.IStorage,
    ZODB.interfaces.IStorageIteration,
    ZODB.interfaces.IStorageUndoable,
    ZODB.interfaces.IExternalGC,
    ZODB.interfaces.ReadVerifyingStorage,
)
class Storage(BaseStorage.BaseStorage,
              ConflictResolution.ConflictResolvingStorage):
    """A NEO cluster as a ZODB storage, through the C++ client library."""

    # pack() waits until the storages have packed (neo.client's
    # Application.wait_for_pack, which its own tests set).
    wait_for_pack = False

    def __init__(self, master_nodes, name, compress=None, cache_size=None,
                 read_only=False, ca=None, cert=None, key=None, timeout=60.0,
                 logfile=None, **kw):
        for k in _UNSUPPORTED:
            kw.pop(k, None)
        if kw:
            raise TypeError('unexpected keyword arguments: %s' % sorted(kw))
        if logfile:
            _neocpp.setup_log(logfile)
        BaseStorage.BaseStorage.__init__(self, 'NEOStorage(%s)' % (name,))
        self._is_read_only = bool(read_only)
        self._txns = {}
        self._db = None
        self._last_oid = z64
        self._invalidation_lock = threading.Lock()
        try:
            self.app = _neocpp.Client(
                _masters(master_nodes), name, ca=ca or '', cert=cert or '',
                key=key or '',
                cache_bytes=20 << 20 if cache_size is None else int(cache_size),
                timeout=timeout, read_only=self._is_read_only,
                compress=compress not in (False, 0, 'false', 'False'))
        except Error as e:
            raise connect_error(e) from None
        self._last_tid = _call(self.app.last_tid)

    # ---- Reads -------------------------------------------------------------

    def load(self, oid, version=''):
        return self.loadEx(oid, version)[:2]

    def loadEx(self, oid, version=''):
        try:
            data, serial, _ = _call(self.app.load, oid, oid=oid)
        except NEOStorageNotFoundError:
            raise POSKeyError(oid)
        return data, serial, ''

    def loadSerial(self, oid, serial):
        try:
            return _call(self.app.load_serial, oid, serial, oid=oid)[0]
        except NEOStorageNotFoundError:
            raise POSKeyError(oid)

    def loadBefore(self, oid, tid):
        try:
            return _call(self.app.load_before, oid, tid, oid=oid)
        except NEOStorageDoesNotExistError:
            raise POSKeyError(oid)
        except NEOStorageNotFoundError:
            return None

    def getTid(self, oid):
        try:
            return _call(self.app.load, oid, oid=oid)[1]
        except NEOStorageNotFoundError:
            raise KeyError(oid)

    def history(self, oid, size=1, filter=None):
        try:
            entries = _call(self.app.history, oid, size, oid=oid)
        except NEOStorageNotFoundError:
            raise POSKeyError(oid)
        result = []
        for serial, length in entries:
            info = self._transaction_info(serial)
            info.update(tid=serial, version='', size=length)
            if filter is None or filter(info):
                result.append(info)
        return result

    def _transaction_info(self, tid):
        found = _call(self.app.transactions, tid, tid, 1)
        if not found:
            raise NEOStorageNotFoundError(tid)
        _, user, desc, ext, _, _ = found[0]
        info = {'time': TimeStamp(tid).timeTime(), 'user_name': user,
                'description': desc, 'id': tid}
        if ext:
            info.update(loads(ext))
        return info

    def iterator(self, start=None, stop=None):
        return _iterator.iterator(self.app, start, stop, self.lastTransaction())

    def __len__(self):
        return u64(self._last_oid)

    # ---- Invalidations -----------------------------------------------------

    def registerDB(self, db, limit=None):
        self._db = db

    def _deliver_invalidations(self, committed=None, callback=None):
        """Hands the queued invalidations to ZODB, then `callback` our own
        commit (`committed`), and moves the last TID on. Where the library
        emptied its cache (invalidations missed while disconnected), ZODB
        empties its own, and the last TID is the cluster's (lower after a
        truncation), as NEO/py's client does."""
        with self._invalidation_lock:
            db = self._db
            for tid, oids in self.app.poll_invalidations():
                if oids is None:
                    if db is not None:
                        db.invalidateCache()
                    self._last_tid = tid
                    continue
                if db is not None:
                    db.invalidate(tid, oids)
                if self._last_tid < tid:
                    self._last_tid = tid
            if committed is not None:
                if callback is not None:
                    callback(committed)
                if self._last_tid < committed:
                    self._last_tid = committed
            return self._last_tid

    def lastTransaction(self):
        return self._deliver_invalidations()

    def sync(self, force=True):
        _call(self.app.sync)
        self._deliver_invalidations()

    # ---- Commit ------------------------------------------------------------

    def new_oid(self):
        if self._is_read_only:
            raise ReadOnlyError()
        oid = self._last_oid = _call(self.app.new_oid)
        return oid

    def _context(self, transaction):
        try:
            return self._txns[transaction]
        except KeyError:
            raise StorageTransactionError(
                'unknown transaction %r' % (transaction,))

    def tpc_begin(self, transaction, tid=None, status=' '):
        if self._is_read_only:
            raise ReadOnlyError()
        if transaction in self._txns:
            raise StorageTransactionError(
                'commit of transaction %r already started' % (transaction,))
        user, desc, ext = _metadata(transaction)
        self._txns[transaction] = _Context(
            _call(self.app.begin, user, desc, ext, tid))

    def store(self, oid, serial, data, version, transaction):
        if self._is_read_only:
            raise ReadOnlyError()
        assert version == '', 'Versions are not supported'
        self._store(self._context(transaction), oid, serial or z64, data)

    def _store(self, context, oid, serial, data):
        if data is None:
            context.txn.remove(oid, serial)
        else:
            context.txn.store(oid, serial, data)
        context.data[oid] = data, serial

    def deleteObject(self, oid, serial, transaction):
        self._store(self._context(transaction), oid, serial, None)

    def checkCurrentSerialInTransaction(self, oid, serial, transaction):
        context = self._context(transaction)
        context.txn.check_current_serial(oid, serial)
        context.txn.flush()  # locked now, as NEO/py's client does

    def tpc_vote(self, transaction):
        context = self._context(transaction)
        while True:
            conflicts = _call(context.txn.vote)
            if not conflicts:
                break
            for oid, committed, base, read in conflicts:
                self._resolve(context, oid, committed, base, read)
        context.voted = True
        return context.resolved

    def _resolve(self, context, oid, committed, base, read):
        if read:
            raise ReadConflictError(oid=oid, serials=(committed, base))
        data = context.data.get(oid, (None,))[0]
        if data is None:
            raise ConflictError(oid=oid, serials=(committed, base))
        if self._last_tid < committed:
            self.sync()  # its invalidation is late: resolution loads it
        try:
            data = self.tryToResolveConflict(oid, committed, base, data)
        except ConflictError:
            raise ConflictError(oid=oid, serials=(committed, base), data=data)
        context.resolved[oid] = committed
        self._store(context, oid, committed, data)

    def tpc_finish(self, transaction, f=None):
        context = self._context(transaction)
        if not context.voted:
            self.tpc_vote(transaction)
        del self._txns[transaction]
        try:
            tid = _call(context.txn.finish)
        except Exception:
            context.txn.abort()
            raise
        self._deliver_invalidations(tid, f)
        return tid

    def tpc_abort(self, transaction):
        context = self._txns.pop(transaction, None)
        if context is not None:
            context.txn.abort()

    # ---- Undo --------------------------------------------------------------

    def supportsUndo(self):
        return True

    def undo(self, transaction_id, transaction):
        if self._is_read_only:
            raise ReadOnlyError()
        context = self._context(transaction)
        try:
            conflicts = _call(context.txn.undo, transaction_id)
        except NEOStorageNotFoundError:
            raise UndoError('non-undoable transaction')
        for oid, current, undo_serial, _ in conflicts:
            self._undo_conflict(context, transaction_id, oid, current,
                                undo_serial)
        found = _call(self.app.transactions, transaction_id, transaction_id, 1)
        return None, list(found[0][5]) if found else []

    def _undo_conflict(self, context, undone, oid, current, undo_serial):
        """`oid` changed after the undone transaction: resolve as NEO/py."""
        try:
            if current == context.txn.ttid:
                data = context.data[oid][0]
            else:
                data = self.loadSerial(oid, current)
            undo_data = self.loadSerial(oid, undo_serial)
        except (POSKeyError, KeyError):
            raise UndoError('Object not found while resolving undo conflict')
        try:
            data = self.tryToResolveConflict(oid, current, undone, undo_data,
                                             data)
        except ConflictError:
            raise UndoError('Some data were modified by a later transaction',
                            oid)
        self._store(context, oid, current, data)

    def undoLog(self, first=0, last=-20, filter=None):
        if last < 0:
            last = first - last
        result = self._undo_log(first, last, filter)
        if not result:  # everything filtered out: look further once
            result = self._undo_log(first, last * 5, filter)
        return result

    def _undo_log(self, first, last, filter):
        result = []
        try:
            infos = self.app.undo_log(first, last)
        except Error as e:
            # A storage that closes the connection (e.g. NEO/py's Importer
            # while importing) gives nothing, as with NEO/py's client.
            if e.args[0] != _neocpp.errc['connection_closed']:
                raise translate(e) from None
            infos = []
        for tid, user, desc, ext, packed, oids in infos:
            info = {'time': TimeStamp(tid).timeTime(), 'user_name': user,
                    'description': desc, 'id': tid, 'packed': packed,
                    'oids': oids}
            if filter is None or filter(info):
                del info['packed'], info['oids']
                if ext:
                    info.update(loads(ext))
                result.append(info)
                if len(result) >= last - first:
                    break
        return result

    # ---- Other -------------------------------------------------------------

    def pack(self, t, referencesf=None):
        tid = min(tid_from_time(t), self.lastTransaction())
        if tid != z64:
            _call(self.app.pack, tid, self.wait_for_pack)

    def copyTransactionsFrom(self, source, verbose=False):
        """Copies `source` (its TIDs kept), as neo.client.Storage."""
        previous = {}
        for txn in source.iterator():
            self.tpc_begin(txn, txn.tid, txn.status)
            for record in txn:
                serial = previous.get(record.oid)
                if serial is None:
                    try:
                        serial = self.load(record.oid)[1]
                    except POSKeyError:
                        serial = z64
                self.store(record.oid, serial, record.data, '', txn)
                previous[record.oid] = txn.tid
            self.tpc_vote(txn)
            self.tpc_finish(txn)

    def close(self):
        app, self.app = getattr(self, 'app', None), None
        if app is not None:
            for context in list(self._txns.values()):
                context.txn.abort()
            self._txns.clear()
            app.close()

    def lastSerial(self):
        raise NotImplementedError

    def _clear_temp(self):
        raise NotImplementedError

    def set_max_oid(self, possible_new_max_oid):
        raise NotImplementedError


__all__ = ['Storage', 'tid_from_time']
