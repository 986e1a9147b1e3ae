"""neocpp: a ZODB storage for NEO clusters on neo-cpp's C++ client library.

    from neocpp import Storage
    storage = Storage(master_nodes='127.0.0.1:10000', name='main')

takes the keyword arguments of NEO/py's neo.client.Storage; in zope.conf,
`%import neocpp` and a <NEOStorage> section (component.xml).

Importing the package needs only the extension (_neocpp); the storage and
its exceptions import ZODB when first used."""
_EXCEPTIONS = ('NEOStorageError', 'NEOStorageNotFoundError',
               'NEOStorageDoesNotExistError', 'NEOStorageCreationUndoneError',
               'NEOStorageWrongChecksum', 'NEOPrimaryMasterLost')
__all__ = ('Storage',) + _EXCEPTIONS

from . import _neocpp  # noqa: E402  (fails early if the build is missing)


def __getattr__(name):
    if name == 'Storage':
        from .storage import Storage
        return Storage
    if name in _EXCEPTIONS:
        from . import exception
        return getattr(exception, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
