"""Form ids of printed questionnaires: issued for a city, checked when a form is keyed in."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import City, PaperFormId
from app.paper.form_ids import is_legacy_form_id, new_form_id


def issue_form_ids(version: str, copies: int, city: City | None) -> list[str]:
    """New form ids for ``copies`` printed copies, recorded for ``city``. Flushes, never commits."""
    form_ids = [new_form_id(version) for _ in range(copies)]
    db.session.add_all(PaperFormId(form_id=form_id, city=city) for form_id in form_ids)
    db.session.flush()
    return form_ids


def printed_for(form_id: str, city: City) -> bool:
    """Whether the form was printed for ``city`` (or by an admin, for any city).

    Forms printed before ids were recorded carry a short id and are taken on trust.
    """
    if is_legacy_form_id(form_id):
        return True
    printed_city = db.session.execute(
        sa.select(PaperFormId.city_id).where(PaperFormId.form_id == form_id)
    ).first()
    return printed_city is not None and printed_city.city_id in (None, city.id)
