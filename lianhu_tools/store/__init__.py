"""The store: tables (`tables`), upgrades of older stores (`migrations`), and the `Store` that reads and
writes them, every write one transaction (`store`)."""

from ..errors import AdjustmentError, NotAllowed, NotInStore, StoreBusy, StoreConflict, StoreTooNew
from .migrations import SCHEMA_VERSION
from .store import BUSY_SECONDS, DEFAULT_URL, Store, check_adjustment, fingerprints, now, store_url
from .tables import STATUSES

__all__ = ["AdjustmentError", "BUSY_SECONDS", "DEFAULT_URL", "NotAllowed", "NotInStore", "SCHEMA_VERSION", "STATUSES", "Store",
           "StoreBusy", "StoreConflict", "StoreTooNew", "check_adjustment", "fingerprints", "now", "store_url"]
