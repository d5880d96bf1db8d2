"""Placing cities in provinces, shared by the admin pages and the command line."""

from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.models import TIERS, City, Province


class ProvinceMismatch(ValueError):
    """The city is in another province already: it is moved on the provinces page, on purpose,
    never as a side effect of creating an account."""


def find_or_create_province(name: str) -> Province:
    province = db.session.scalar(sa.select(Province).where(Province.name == name))
    if province is None:
        province = Province(name=name)
        db.session.add(province)
        db.session.flush()
    return province


def place_city(city: City, province: Province | None, tier: str | None) -> None:
    """Put a city without a province (a new one, or one from before provinces) in one; a tier
    given replaces the city's. A city in another province is refused."""
    if tier is not None and tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    if province is not None:
        if city.province_id is not None and city.province_id != province.id:
            raise ProvinceMismatch(city.name)
        city.province = province
    if tier is not None:
        city.tier = tier
    db.session.flush()


def move_city(city: City, province: Province | None, tier: str | None) -> None:
    """An admin's decision: the city goes to this province (None: to none) with this tier."""
    if tier is not None and tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}")
    city.province = province
    city.tier = tier
    db.session.flush()
