"""The transactions of a NEO cluster as ZODB's IStorageIteration wants them,
read through the C++ client library (neocpp._neocpp.Client)."""
from ZODB import BaseStorage
from ZODB._compat import loads
from ZODB.utils import p64, u64, z64

CHUNK = 100  # transactions asked at a time
MAX_TID = b'\x7f\xff\xff\xff\xff\xff\xff\xff'


class Record(BaseStorage.DataRecord):
    """One object revision of a transaction (data_txn: the revision whose
    data it reuses, as undo stores them)."""


class Transaction(BaseStorage.TransactionRecord):
    """One transaction; iterating it yields its Records."""

    def __init__(self, app, info):
        tid, user, desc, ext, packed, oids = info
        super(Transaction, self).__init__(tid, 'p' if packed else ' ', user,
                                          desc, loads(ext) if ext else {})
        self._app = app
        self._oids = oids

    def __iter__(self):
        # Revisions packed away are left out by the library.
        for oid, data, data_tid in self._app.revisions(self.tid, self._oids):
            yield Record(oid, self.tid, data, data_tid)


def iterator(app, start, stop, last_tid):
    """The transactions from `start` to `stop` (both included; None: from
    the first, to the last one known, `last_tid`), oldest first."""
    start = start or z64
    stop = min(stop or MAX_TID, last_tid)
    while start <= stop:
        chunk = app.transactions(start, stop, CHUNK)
        for info in chunk:
            yield Transaction(app, info)
        if len(chunk) < CHUNK:
            break
        start = p64(u64(chunk[-1][0]) + 1)
