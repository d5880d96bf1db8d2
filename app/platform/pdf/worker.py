"""The WeasyPrint side of PDF rendering, run in a worker process that can be killed at a deadline.

Only this module imports WeasyPrint, so the app starts (and says what is missing) on a machine
without Pango. Everything a document may load goes through ``StaticOnlyFetcher``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.platform.pdf.job import (
    DOCUMENT_ORIGIN,
    ERROR,
    JOB,
    PDF,
    RenderJob,
    read_frame,
    write_frame,
)


class RefusedURL(ValueError):
    """A document asked for something other than the app's static files or a data: URL."""


class StaticOnlyFetcher(URLFetcher):
    """Serve the app's own static files and data: URLs; refuse every other URL.

    No file:// URL, no host on the network (not even this one), no path that climbs out of the
    static folder: user text reaches the templates escaped, and this is the second wall.
    """

    def __init__(self, static_folder: str | Path, static_path: str) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.static_folder = Path(static_folder).resolve()
        self.static_path = "/" + static_path.strip("/") + "/"
        self.static_prefix = DOCUMENT_ORIGIN + self.static_path

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)  # type: ignore[no-any-return]
        if url.startswith(self.static_prefix):
            relative = unquote(urlsplit(url).path).removeprefix(self.static_path)
            path = (self.static_folder / relative).resolve()
            if path.is_relative_to(self.static_folder) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    url, path.read_bytes(), headers={"Content-Type": content_type}
                )
        raise RefusedURL(f"not fetched: {url[:200]}")


def render_document(job: RenderJob) -> bytes:
    """Lay out the HTML and return the PDF, fetching only through ``StaticOnlyFetcher``."""
    fetcher = StaticOnlyFetcher(job.static_folder, job.static_path)
    document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher)
    return document.write_pdf()  # type: ignore[no-any-return]


def serve(jobs: IO[bytes], replies: IO[bytes]) -> None:
    """Render every job that arrives until the app hangs up; report failures as text."""
    while True:
        try:
            kind, payload = read_frame(jobs)
        except EOFError:
            return
        try:
            if kind != JOB:
                raise ValueError(f"unexpected frame {kind!r}")
            write_frame(replies, PDF, render_document(RenderJob.decode(payload)))
        except Exception as error:  # noqa: BLE001 - any failure is reported back, never fatal
            write_frame(replies, ERROR, f"{type(error).__name__}: {error}".encode())
