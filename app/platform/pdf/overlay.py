"""Draw the pages of one PDF over the pages of another, without laying anything out again.

The blank questionnaire is the same for every copy but for its form id: it is laid out once
(and cached), and each copy's ids, laid out on otherwise empty pages, are drawn over it. Each
page of ids becomes a form XObject drawn after the page under it; the pages under it keep one
shared content stream per page, so ten copies weigh little more than one.
"""

from __future__ import annotations

import io
from typing import cast

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

_STAMP = NameObject("/CityReadyOverlay")


def page_count(document: bytes) -> int:
    return len(PdfReader(io.BytesIO(document)).pages)


def overlay_pages(under: bytes, over: bytes) -> bytes:
    """A PDF with the pages of ``over``, each drawn on page i mod n of ``under`` (n pages)."""
    writer = PdfWriter(clone_from=io.BytesIO(over))
    # Copied into the writer once: each copy's page refers to the same content stream.
    base = [page.clone(writer) for page in PdfReader(io.BytesIO(under)).pages]
    # Whatever the page under changes in the graphics state is undone before the overlay.
    save, restore = DecodedStreamObject(), DecodedStreamObject()
    save.set_data(b"q\n")
    restore.set_data(b"\nQ\n" + _STAMP.encode() + b" Do\n")
    save_ref, restore_ref = writer._add_object(save), writer._add_object(restore)
    for number, page in enumerate(writer.pages):
        below = base[number % len(base)]
        drawn = DecodedStreamObject()
        contents_over = page.get_contents()
        drawn.set_data(b"" if contents_over is None else contents_over.get_data())
        drawn.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): page.mediabox,
                NameObject("/Resources"): page.raw_get("/Resources"),
            }
        )
        resources, xobjects = DictionaryObject(), DictionaryObject()
        resources.update(cast(DictionaryObject, below["/Resources"]))
        if (existing := resources.get("/XObject")) is not None:
            xobjects.update(cast(DictionaryObject, existing.get_object()))
        xobjects[_STAMP] = writer._add_object(drawn)
        resources[NameObject("/XObject")] = xobjects
        contents = below.raw_get("/Contents")
        listed = contents.get_object()
        parts = list(listed) if isinstance(listed, ArrayObject) else [contents]
        page[NameObject("/Resources")] = resources
        page[NameObject("/Contents")] = ArrayObject([save_ref, *parts, restore_ref])
        page[NameObject("/MediaBox")] = below["/MediaBox"]
    document = io.BytesIO()
    writer.write(document)
    return document.getvalue()
