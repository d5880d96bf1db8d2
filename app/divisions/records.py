"""A city as the API and the exports name it: with its province and tier."""

from __future__ import annotations

from typing import Any

from app.models import City


def city_record(city: City) -> dict[str, Any]:
    province = city.province
    return {
        "id": city.id,
        "name": city.name,
        "province": None if province is None else {"id": province.id, "name": province.name},
        "tier": city.tier,
    }
