"""District violence-risk early warning: the foundation layer.

`risk` holds what every other layer stands on: configuration, the time rules,
the event vocabulary, district geometry, the store, ingest and the synthetic
scenario.  It never imports `features`, `models` or `service`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("district-risk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
