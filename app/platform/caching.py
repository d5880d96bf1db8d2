"""Per-process caches of what is costly to build and keyed by the version of what it shows.

Every key carries the version of the data the entry was built from
(``app.platform.data_version``, read once per request): any later write gives a new key, so a
stale entry is never looked up again and ages out of the LRU. That is why each gunicorn worker
can keep its own cache with nothing to invalidate across processes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from cachetools import LRUCache
from flask import Flask, current_app

T = TypeVar("T")


class LockedLRU:
    """At most ``size`` entries, least recently used dropped first, safe across threads;
    ``size`` 0 keeps nothing."""

    def __init__(self, size: int) -> None:
        self._entries: LRUCache[Hashable, Any] | None = LRUCache(size) if size > 0 else None
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        if self._entries is None:
            return None
        with self._lock:
            return self._entries.get(key)

    def set(self, key: Hashable, value: Any) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries[key] = value

    def keys(self) -> list[Hashable]:
        with self._lock:
            return [] if self._entries is None else list(self._entries)

    def clear(self) -> None:
        if self._entries is not None:
            with self._lock:
                self._entries.clear()

    def __len__(self) -> int:
        return 0 if self._entries is None else len(self._entries)


class FrozenCache:
    """The app's cache of rendered reports, API answers and figures, sized by FROZEN_CACHE_SIZE."""

    def init_app(self, app: Flask) -> None:
        app.extensions["cityready_frozen"] = LockedLRU(app.config["FROZEN_CACHE_SIZE"])

    @property
    def entries(self) -> LockedLRU:
        return current_app.extensions["cityready_frozen"]  # type: ignore[no-any-return]

    def get_or_make(self, key: Hashable | None, make: Callable[[], T]) -> T:
        """The cached value for the key, made and kept on a miss; a None key is never cached."""
        if key is None:
            return make()
        found = self.entries.get(key)
        if found is None:
            found = make()
            self.entries.set(key, found)
        return found  # type: ignore[no-any-return]


frozen_cache = FrozenCache()
