"""``python -m app.platform.pdf``: the rendering process the app starts; jobs on stdin, PDFs
on stdout."""

import os
import sys
from typing import IO

from app.platform.pdf.job import ERROR, read_frame, write_frame


def _refuse_every_job(jobs: IO[bytes], replies: IO[bytes], reason: str) -> None:
    while True:
        try:
            read_frame(jobs)
        except EOFError:
            return
        write_frame(replies, ERROR, reason.encode())


if __name__ == "__main__":
    # Keep the reply pipe to ourselves: anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        from app.platform.pdf.worker import serve
    except (ImportError, OSError) as error:  # no WeasyPrint, or no Pango under it
        _refuse_every_job(sys.stdin.buffer, replies, f"WeasyPrint cannot run here: {error}")
    else:
        serve(sys.stdin.buffer, replies)
