"""Where a page may send a user back to after an action."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """Accept only a local path, so a crafted link cannot send a user to another site, and no
    control character, which no Location header may carry."""
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
