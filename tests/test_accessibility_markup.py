"""Accessibility that the HTML itself must carry: errors announced, linked and named."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

QUESTION = "q-planning-top_level_design"


def _area_with_errors(client: FlaskClient, url: str) -> str:
    response = client.post(
        url, data={QUESTION: "9", f"{QUESTION}-comment": "x" * 5001, "save": "1"}
    )
    return response.get_data(as_text=True)


def test_errors_are_summarised_announced_and_linked_to_their_fields(
    client: FlaskClient, draft_area_url: str
) -> None:
    page = _area_with_errors(client, draft_area_url)
    assert re.search(r"<title>Error: [^<]+ · CityReady</title>", page)
    assert '<div class="error-summary" role="alert" tabindex="-1" autofocus' in page
    assert f'href="#{QUESTION}-0">Question 1: Not a valid choice.' in page
    assert f'href="#{QUESTION}-comment">Comment on question 1: Field cannot be longer' in page
    # Each radio and the comment box point at their error message, and say they are invalid.
    radio = re.search(rf'<input [^>]*id="{QUESTION}-0"[^>]*>', page)
    assert radio is not None
    assert f'aria-describedby="{QUESTION}-help {QUESTION}-error"' in radio.group()
    assert 'aria-invalid="true"' in radio.group()
    assert f'id="{QUESTION}-error"' in page
    assert f'aria-describedby="{QUESTION}-comment-error"' in page


def test_error_flash_is_an_alert_and_other_flashes_are_status(
    client: FlaskClient, draft_area_url: str
) -> None:
    page = _area_with_errors(client, draft_area_url)
    assert re.search(r'<p class="flash flash-error" role="alert">', page)
    signed_out = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert '<p class="flash flash-info" role="status">' in signed_out


def test_sign_in_errors_are_summarised_and_linked(client: FlaskClient) -> None:
    page = client.post("/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert "<title>Error: Sign in · CityReady</title>" in page
    assert '<a href="#email">Enter your email address.</a>' in page
    assert '<a href="#password">Enter your password.</a>' in page
    assert 'aria-describedby="email-error" aria-invalid="true"' in page


def test_no_aria_attribute_is_rendered_as_none(client: FlaskClient, draft_area_url: str) -> None:
    assert '="None"' not in client.get(draft_area_url).get_data(as_text=True)
    client.post("/logout")
    assert '="None"' not in client.get("/login").get_data(as_text=True)


def test_every_scrolling_table_can_be_scrolled_with_the_keyboard() -> None:
    """A table box that scrolls sideways on a phone must take focus and have a name (WCAG 2.1.1)."""
    templates = Path(__file__).parent.parent / "app" / "templates"
    boxes = [
        (path.relative_to(templates), tag)
        for path in templates.rglob("*.html")
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', path.read_text())
    ]
    assert boxes
    wrong = [
        f"{path}: {tag}"
        for path, tag in boxes
        if 'tabindex="0"' not in tag or 'role="region"' not in tag or "aria-label" not in tag
    ]
    assert not wrong, "use tabindex=0, role=region and aria-labelledby:\n" + "\n".join(wrong)


def test_no_template_passes_none_to_a_field_attribute() -> None:
    """WTForms writes None out as the text "None" (aria-invalid="None"); false leaves it out."""
    templates = Path(__file__).parent.parent / "app" / "templates"
    wrong = [
        f"{path.relative_to(templates)}: {found}"
        for path in templates.rglob("*.html")
        for found in re.findall(r"\b\w+=\([^()]*\belse none\)", path.read_text())
    ]
    assert not wrong, "write `else false`:\n" + "\n".join(wrong)
