"""A per-process cache for what no longer changes once an assessment is submitted.

A submitted assessment's answers and score snapshot are frozen, so its rendered report and its
API JSON can be built once and served again. Keys
(``app.assessments.operations.frozen_version``) carry the version of everything the entry was
built from: any later change writes a new key, so a stale entry is never looked up again and ages
out of the LRU. That is why each gunicorn worker can
keep its own cache with nothing to invalidate across processes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from flask import Flask, current_app

T = TypeVar("T")


class LRUCache:
    """At most ``size`` entries, least recently used dropped first; safe across threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()

    def get(self, key: Hashable) -> Any | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def set(self, key: Hashable, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


class FrozenCache:
    """The app's cache of frozen assessments' reports and JSON, sized by FROZEN_CACHE_SIZE."""

    def init_app(self, app: Flask) -> None:
        app.extensions["cityready_frozen"] = LRUCache(app.config["FROZEN_CACHE_SIZE"])

    @property
    def entries(self) -> LRUCache:
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
