"""Settings for running the SQLite thread test against a database file.

Django's SQLite test database is in memory, shared between threads through SQLite's shared
cache, where concurrent writers fail with "table is locked" instead of waiting. A file behaves
like production: BEGIN IMMEDIATE plus busy_timeout makes writers queue.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"]["TEST"] = {"NAME": os.environ["WEFT_SQLITE_TEST_FILE"]}
