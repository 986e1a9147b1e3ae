"""The exceptions of neocpp.Storage: those of NEO/py's client (same names,
same bases, so that applications catching them keep working) and ZODB's
POSException, translated from the library's errors (_neocpp.Error)."""
from ZODB import POSException
from ZODB.POSException import (ConflictError, ReadConflictError, ReadOnlyError,
                               UndoError)

from ._neocpp import Error, errc  # noqa: F401 (Error: for storage.py)


class NEOStorageError(POSException.StorageError):
    pass


class NEOStorageNotFoundError(NEOStorageError):
    pass


class NEOStorageWrongChecksum(NEOStorageError):
    pass


class NEOStorageDoesNotExistError(NEOStorageNotFoundError):
    """The object does not exist at all."""


class NEOStorageCreationUndoneError(NEOStorageDoesNotExistError):
    """The object existed, but its creation was undone (or it was deleted)."""


class NEOUndoPackError(NEOStorageNotFoundError):
    """A record disappeared while undoing (a pack in progress)."""


class NEOPrimaryMasterLost(POSException.ReadConflictError):
    """The primary master could not be reached: retrying the transaction
    later may succeed."""


_NOT_FOUND = {
    errc['oid_not_found']: NEOStorageNotFoundError,
    errc['oid_does_not_exist']: NEOStorageDoesNotExistError,
    errc['no_data']: NEOStorageCreationUndoneError,
}
_LOST = {errc[name] for name in ('connection_closed', 'timed_out',
                                 'not_ready', 'transaction_failed')}


def translate(error, oid=None):
    """The exception to raise for the library's `error` (_neocpp.Error)."""
    code, message = error.args
    if code in _NOT_FOUND:
        return _NOT_FOUND[code](message if oid is None else oid)
    if code == errc['read_only_access']:
        return ReadOnlyError()
    if code == errc['undo_pack_error']:
        return UndoError('non-undoable transaction')
    if code == errc['wrong_checksum']:
        return NEOStorageWrongChecksum(oid, message)
    if code == errc['read_conflict']:
        return ReadConflictError(oid=oid)
    if code == errc['conflict']:
        return ConflictError(oid=oid)
    if code in _LOST:
        return NEOStorageError(message)
    return NEOStorageError('%s (%s)' % (message, code))


def connect_error(error):
    """The exception for a failure to reach the cluster at start."""
    code, message = error.args
    if code == errc['invalid_argument']:
        return ValueError(message)
    if code == errc['read_only_access']:
        return ReadOnlyError()
    return NEOPrimaryMasterLost(
        'Too many connection failures to the primary master (%s)' % message)
