"""A per-process cache for what no longer changes once an assessment is submitted.

A submitted assessment's answers and score snapshot are frozen, so its rendered report and its
API JSON can be built once and served again. Keys (``app.operations.frozen_key``) carry the
version of everything the entry was built from: any later change writes a new key, so a stale
entry is never looked up again and ages out of the LRU. That is why each gunicorn worker can
keep its own cache with nothing to invalidate across processes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from functools import cache, partial
from threading import Lock
from typing import Any, TypeVar

from flask import Flask, current_app
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.parser import Parser
from markupsafe import Markup
from werkzeug.local import LocalProxy

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
        app.jinja_env.add_extension(FragmentCacheExtension)

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


def lazy(make: Callable[[T], Any], argument: T) -> Any:
    """A stand-in that calls ``make(argument)`` on first use only, for a template that may
    never use it because the fragment that would is served from the cache."""
    return LocalProxy(cache(partial(make, argument)))


class FragmentCacheExtension(Extension):
    """``{% cached key %}...{% endcached %}``: render the block once per key, then reuse it.

    A None key renders the block every time, so a draft's report is never cached. On a hit the
    block is not evaluated at all, so the view can pass what it needs lazily.
    """

    tags = {"cached"}

    def parse(self, parser: Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        call = self.call_method("_render", [key])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, key: Hashable | None, caller: Callable[[], Markup]) -> Markup:
        # The block was rendered with autoescape on: what comes back is already safe markup.
        return frozen_cache.get_or_make(key, caller)


frozen_cache = FrozenCache()
