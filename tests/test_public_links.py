"""Links the app prints point at the app itself, whatever address or Host header a request came
with: a crafted link must not turn a genuine CityReady page into a signpost to another site."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

SITE = "https://cityready.example"


def language_links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]*lang=[^"]*)"', page)


@pytest.mark.parametrize("path", ["/%5Cevil.example", "/%5C%5Cevil.example/x", "/login"])
def test_language_links_stay_on_the_site(client: FlaskClient, path: str) -> None:
    response = client.get(path, query_string={"q": "1"})
    links = language_links(response.get_data(as_text=True))
    assert len(links) == 2
    for link in links:
        # As a browser resolves it, reading a backslash as a slash.
        resolved = urljoin(SITE + path, link.replace("&amp;", "&").replace("\\", "/"))
        assert urlsplit(resolved).netloc == "cityready.example", link
        assert "q=1" in resolved
