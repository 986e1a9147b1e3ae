"""neocpp.Storage as NEO/py's ZODB conformance suite needs it
(NEO_EXT_CLIENT=neocpp.suite:Storage for shared/tools/neopy-suite).

The suite patches neo.client's Application for its own client: packs wait
until done (wait_for_pack) and the pack transactions are left out of
undoLog. This is the same for neocpp.Storage."""
from .storage import Storage as _Storage

PACK_DESCRIPTION = b'IStorage.pack'


class Storage(_Storage):

    wait_for_pack = True

    def undoLog(self, *args, **kw):
        return [txn for txn in _Storage.undoLog(self, *args, **kw)
                if txn['description'] != PACK_DESCRIPTION]
