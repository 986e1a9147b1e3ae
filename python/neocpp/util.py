"""Conversions between ZODB's and NEO's conventions for neocpp.storage."""
import time

from ZODB.TimeStamp import TimeStamp
from ZODB._compat import dumps, _protocol


def masters(master_nodes):
    if isinstance(master_nodes, (list, tuple)):
        return list(master_nodes)
    return master_nodes.replace(',', ' ').replace('/', ' ').split()


def metadata(transaction):
    """(user, description, extension) as bytes, as NEO/py's client."""
    try:
        ext = transaction.extension_bytes
    except AttributeError:
        ext = transaction._extension
        ext = dumps(ext, _protocol) if ext else b''
    user, desc = transaction.user, transaction.description
    if not isinstance(user, bytes):
        user = user.encode('utf-8')
    if not isinstance(desc, bytes):
        desc = desc.encode('utf-8')
    return user, desc, ext


def tid_from_time(t):
    gmt = time.gmtime(t)
    return TimeStamp(*(gmt[:5] + (gmt.tm_sec + t % 1,))).raw()
