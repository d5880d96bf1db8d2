"""What crosses between the app and its rendering process: jobs and replies as framed bytes.

Plain JSON and bytes, no pickle, and importable without WeasyPrint.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import IO

# The base URL every document is rendered against. The .invalid domain never resolves, and
# nothing is ever requested from it: the fetcher maps its static path onto the static folder.
DOCUMENT_ORIGIN = "https://cityready.invalid"

JOB, PDF, ERROR = b"J", b"P", b"E"
_LENGTH_BYTES = 8


@dataclass(frozen=True)
class RenderJob:
    html: str
    static_folder: str
    static_path: str  # the URL path of the static folder, e.g. "/static/"

    @property
    def base_url(self) -> str:
        return DOCUMENT_ORIGIN + "/"

    def encode(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def decode(cls, payload: bytes) -> RenderJob:
        return cls(**json.loads(payload))


def frame(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(_LENGTH_BYTES, "big") + payload


def write_frame(stream: IO[bytes], kind: bytes, payload: bytes) -> None:
    stream.write(frame(kind, payload))
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> tuple[bytes, bytes]:
    """Return (kind, payload) of the next frame; EOFError when the other end has gone."""
    header = _read_exactly(stream, 1 + _LENGTH_BYTES)
    return header[:1], _read_exactly(stream, int.from_bytes(header[1:], "big"))
