"""The one-machine cache: diskcache's Django backend, with its connections kept between requests."""

from diskcache import DjangoCache


class DiskCache(DjangoCache):
    """Django closes every cache when a request finishes (right for network caches); for this one
    that meant reopening its SQLite files on the next request, ~1 ms each time. Its connections
    belong to the worker's thread, like Django's own database connections."""

    def close(self, **kwargs):
        pass
