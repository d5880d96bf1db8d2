"""What an uploaded file really is, read from its bytes: a name says nothing.

A PDF, PNG or JPEG is told by its signature (the ``filetype`` library). An Office file is a
zip archive, as are many other things, so it counts only when its ``[Content_Types].xml``
names the main part of a Word, Excel or PowerPoint document and the archive has that
program's folder; a macro-enabled document names another main part and is refused.
"""

from __future__ import annotations

import io
import zipfile

import filetype

SIGNED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}

OFFICE_TYPES = {
    # The main part's content type, the folder holding it, what the file is, its extension.
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "word/",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "xl/",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "ppt/",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}

EXTENSIONS = {**SIGNED_TYPES, **{kind: ext for _, kind, ext in OFFICE_TYPES.values()}}
"""Every type accepted, with the extension a downloaded copy is given."""

CONTENT_TYPES_MAX_BYTES = 1024 * 1024
"""A real ``[Content_Types].xml`` is a few kilobytes; a larger one is not inflated to find out."""


def _office_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" not in names:
                return None
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX_BYTES:
                return None
            declared = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, ValueError):
        return None
    for main_part, (folder, kind, _) in OFFICE_TYPES.items():
        if f'ContentType="{main_part}"' in declared and any(n.startswith(folder) for n in names):
            return kind
    return None


def sniff(data: bytes) -> str | None:
    """The accepted content type these bytes are, or None for anything else."""
    guessed = filetype.guess_mime(data)
    if guessed in SIGNED_TYPES:
        return str(guessed)
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None
