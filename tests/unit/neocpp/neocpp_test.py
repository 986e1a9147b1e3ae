"""neocpp without a cluster: the extension (_neocpp) converts and reports
errors as documented; with ZODB importable (NEO_PEER_PYTHONPATH), the
storage's helpers and the translation of errors to ZODB's exceptions."""
import os, sys, unittest

sys.path[:0] = [os.environ['NEOCPP_PYTHONPATH']] + [
    p for p in os.getenv('NEO_PEER_PYTHONPATH', '').split(':') if p]
import neocpp
from neocpp import _neocpp

try:
    import ZODB  # noqa: F401
except ImportError:
    ZODB = None


class Extension(unittest.TestCase):

    def test_error_codes_are_named(self):
        self.assertEqual(_neocpp.errc['oid_not_found'], 3)
        self.assertEqual(_neocpp.errc['undo_pack_error'], 13)
        self.assertIn('conflict', _neocpp.errc)

    def test_a_bad_master_address_is_invalid_argument(self):
        with self.assertRaises(_neocpp.Error) as e:
            _neocpp.Client(['not an address'], 'cluster', timeout=5)
        self.assertEqual(e.exception.args[0], _neocpp.errc['invalid_argument'])

    def test_partial_tls_credentials_are_refused(self):
        with self.assertRaises(_neocpp.Error):
            _neocpp.Client(['127.0.0.1:1'], 'cluster', ca='/nonexistent',
                           timeout=5)


@unittest.skipIf(ZODB is None, 'ZODB not importable (NEO_PEER_PYTHONPATH)')
class Storage(unittest.TestCase):

    def test_errors_become_zodb_and_neo_exceptions(self):
        from ZODB.POSException import ReadOnlyError, UndoError
        from neocpp.exception import translate
        error = lambda name: _neocpp.Error(_neocpp.errc[name], 'message')
        self.assertIsInstance(translate(error('oid_does_not_exist')),
                              neocpp.NEOStorageDoesNotExistError)
        self.assertIsInstance(translate(error('no_data')),
                              neocpp.NEOStorageCreationUndoneError)
        self.assertIsInstance(translate(error('read_only_access')),
                              ReadOnlyError)
        self.assertIsInstance(translate(error('undo_pack_error')), UndoError)
        self.assertIsInstance(translate(error('timed_out')),
                              neocpp.NEOStorageError)

    def test_an_unreachable_cluster_raises_primary_master_lost(self):
        from ZODB.POSException import ReadConflictError
        with self.assertRaises(neocpp.NEOPrimaryMasterLost) as e:
            neocpp.Storage(master_nodes='127.0.0.1:1', name='x', timeout=0.5)
        self.assertIsInstance(e.exception, ReadConflictError)  # as NEO/py's

    def test_tid_from_time_matches_zodb_timestamps(self):
        from ZODB.TimeStamp import TimeStamp
        from neocpp.util import masters, tid_from_time
        t = 1700000000.25
        self.assertAlmostEqual(TimeStamp(tid_from_time(t)).timeTime(), t, 3)
        self.assertEqual(masters('127.0.0.1:1 [::1]:2,h:3'),
                         ['127.0.0.1:1', '[::1]:2', 'h:3'])

    def test_a_cache_reset_empties_zodb_cache_and_sets_the_last_tid(self):
        import threading
        from ZODB.utils import p64

        class App:  # what the library queued
            def poll_invalidations(self):
                return [(p64(5), [p64(1)]), (p64(3), None), (p64(4), [p64(2)])]

        class DB:
            def __init__(self):
                self.calls = []
            def invalidate(self, tid, oids):
                self.calls.append(('invalidate', tid, oids))
            def invalidateCache(self):
                self.calls.append(('invalidateCache',))

        storage = neocpp.Storage.__new__(neocpp.Storage)  # no cluster
        storage.app, storage._invalidation_lock = App(), threading.Lock()
        storage._last_tid, db = p64(2), DB()
        storage.registerDB(db)
        # A truncation below 5: the last TID goes back to the cluster's.
        self.assertEqual(storage.lastTransaction(), p64(4))
        self.assertEqual(db.calls, [('invalidate', p64(5), [p64(1)]),
                                    ('invalidateCache',),
                                    ('invalidate', p64(4), [p64(2)])])


if __name__ == '__main__':
    unittest.main(verbosity=2)
