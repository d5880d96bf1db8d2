"""Forms whose fields follow the content: one or more fields per question, scope or item."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

FormT = TypeVar("FormT", bound=FlaskForm)
ItemT = TypeVar("ItemT")


def per_question_form(
    base: type[FormT],
    items: Iterable[ItemT],
    make_fields: Callable[[ItemT], Mapping[str, UnboundField]],
    **kwargs: object,
) -> FormT:
    """A ``base`` form with the fields ``make_fields`` names for each item, in the items' order.

    WTForms reads fields from a form's class, so they go on a fresh subclass per call: ``base``
    itself never gains a field, and forms for two question banks never share one.
    """
    fields = {name: field for item in items for name, field in make_fields(item).items()}
    return type(base.__name__, (base,), fields)(**kwargs)
