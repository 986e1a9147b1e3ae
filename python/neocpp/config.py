"""The ZConfig datatypes of component.xml: `%import neocpp` in zope.conf,
then a <NEOStorage> section with the keys of neo.client's."""
from ZODB.config import BaseConfig


class NeoStorage(BaseConfig):

    def open(self):
        from .storage import Storage
        config = self.config
        return Storage(**{k: getattr(config, k)
                          for k in config.getSectionAttributes()})


def compress(value):
    """A boolean, or an algorithm as NEO/py accepts it ('zlib', 'zlib=6'):
    the C++ library compresses with zlib's default level."""
    from ZConfig.datatypes import asBoolean
    try:
        return asBoolean(value)
    except ValueError:
        if value == 'zlib' or value.startswith('zlib='):
            return True
        raise ValueError('unknown compression: %r' % value)
