"""Supervisors: the forms of the Canned responses and SLA calendars pages.

The API validates everything (placeholders, time zones, hours, holidays) and its messages are
shown beside the form; this module only turns the form's text into the API's shapes and back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

from streamlit_frontend import ui

# The API names weekdays in English (monday ... sunday).
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
HOURS_HELP = (
    "Like 09:00-17:00; several ranges with commas (09:00-12:00, 13:00-17:00); empty: closed."
)
HOLIDAYS_HELP = "One a line: a date, then optionally its name (2026-12-25 Christmas Day)."


class FormatProblem(ValueError):
    """Text the form cannot turn into the API's shape (the API is never asked)."""


# --------------------------------------------------------------------------- canned responses


def placeholder_help(placeholders: Sequence[Mapping[str, str]]) -> str:
    return "Placeholders: " + "; ".join(
        f"`{{{row['name']}}}` {row['description']}" for row in placeholders
    )


def canned_fields(
    row: Mapping[str, Any], categories: Sequence[Mapping[str, Any]], body_help: str
) -> Callable[[str], Callable[[], dict[str, Any]]]:
    """How to draw the title, body, category and active inputs, prefilled from ``row``."""
    names = {category["id"]: category["name"] for category in categories}
    options: list[int | None] = [None, *names]
    current = (row.get("category") or {}).get("id")

    def draw(key: str) -> Callable[[], dict[str, Any]]:
        title = st.text_input("Title", value=row.get("title", ""), key=f"{key}_title")
        body = st.text_area("Text", value=row.get("body", ""), help=body_help, key=f"{key}_body")
        category = st.selectbox(
            "Category",
            options=options,
            index=options.index(current) if current in options else 0,
            format_func=lambda value: "All categories" if value is None else names[value],
            key=f"{key}_category",
        )
        active = st.checkbox(
            "Offered to agents", value=row.get("is_active", True), key=f"{key}_active"
        )
        return lambda: {"title": title, "body": body, "category_id": category, "is_active": active}

    return draw


def canned_label(row: Mapping[str, Any]) -> str:
    category = row.get("category")
    label = f"{row['title']} ({category['name'] if category else 'all categories'})"
    return label if row.get("is_active") else f"{label} - not offered"


# --------------------------------------------------------------------------- SLA calendars


def calendar_label(calendar: Mapping[str, Any]) -> str:
    default = " - the organisation's" if calendar["is_default"] else ""
    return f"{calendar['name']} ({calendar['time_zone']}){default}"


def calendar_users(calendar: Mapping[str, Any], category_names: Mapping[int, str]) -> str:
    used_by = [category_names.get(pk, f"#{pk}") for pk in calendar["category_ids"]]
    return f"Used by: {', '.join(used_by)}." if used_by else "No category has it as its own."


def hours_text(working_hours: Sequence[Mapping[str, str]], weekday: str) -> str:
    return ", ".join(
        f"{entry['opens_at']}-{entry['closes_at']}"
        for entry in working_hours
        if entry["weekday"] == weekday
    )


def parse_hours(weekday: str, text: str) -> list[dict[str, str]]:
    entries = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        opens, sep, closes = part.partition("-")
        if not sep:
            raise FormatProblem(f"{weekday.capitalize()}: write a range like 09:00-17:00.")
        entries.append({"weekday": weekday, "opens_at": opens.strip(), "closes_at": closes.strip()})
    return entries


def holidays_text(holidays: Sequence[Mapping[str, str]]) -> str:
    return "\n".join(f"{day['date']} {day.get('name', '')}".strip() for day in holidays)


def parse_holidays(text: str) -> list[dict[str, str]]:
    holidays = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        date, _, name = line.partition(" ")
        holidays.append({"date": date, "name": name.strip()})
    return holidays


def calendar_fields(row: Mapping[str, Any]) -> Callable[[str], Callable[[], dict[str, Any]]]:
    """How to draw the calendar inputs, prefilled from ``row``; drawing returns their reader."""
    return lambda key: _calendar_inputs(key, row)


def _calendar_inputs(key: str, row: Mapping[str, Any]) -> Callable[[], dict[str, Any]]:
    zones = ui.time_zone_names()
    zone = row.get("time_zone") or ui.organisation_time_zone()
    name = st.text_input("Name", value=row.get("name", ""), key=f"{key}_name")
    time_zone = st.selectbox(
        "Time zone",
        options=zones,
        index=zones.index(zone) if zone in zones else None,
        key=f"{key}_zone",
    )
    is_default = st.checkbox(
        "The organisation's calendar (for categories without their own)",
        value=row.get("is_default", False),
        key=f"{key}_default",
    )
    st.markdown("**Working hours** (local time)")
    hours = {
        day: st.text_input(
            day.capitalize(),
            value=hours_text(row.get("working_hours", []), day),
            help=HOURS_HELP,
            key=f"{key}_hours_{day}",
        )
        for day in WEEKDAYS
    }
    holidays = st.text_area(
        "Holidays",
        value=holidays_text(row.get("holidays", [])),
        help=HOLIDAYS_HELP,
        key=f"{key}_holidays",
    )

    def read() -> dict[str, Any]:
        return {
            "name": name,
            "time_zone": time_zone or "",
            "is_default": is_default,
            "working_hours": [entry for day in WEEKDAYS for entry in parse_hours(day, hours[day])],
            "holidays": parse_holidays(holidays),
        }

    return read


def save(call: Callable[[], Any], *, where: Any, done: str) -> bool:
    """Run a write; its problem (the form's or the API's, in words) goes to ``where``."""
    try:
        result = ui.attempt(call, spinner="Saving...", where=where)
    except FormatProblem as problem:
        where.error(str(problem))
        return False
    if result.ok:
        ui.flash(done)
    return result.ok


def delete_button(key: str, call: Callable[[], Any], *, done: str) -> None:
    problem = st.empty()
    if st.button("Delete", key=key, icon=":material/delete:") and save(
        call, where=problem, done=done
    ):
        st.rerun()


def new_form(
    key: str,
    draw: Callable[[str], Callable[[], dict[str, Any]]],
    create: Callable[..., Any],
    *,
    done: str,
) -> None:
    """A form that adds one item; it starts empty again after a success."""
    version_key = f"{key}_version"
    version = st.session_state.setdefault(version_key, 0)
    with st.form(f"{key}_{version}"):
        read = draw(f"{key}_{version}")
        problem = st.empty()
        if st.form_submit_button("Add", key=f"{key}_submit") and save(
            lambda: create(**read()), where=problem, done=done
        ):
            st.session_state[version_key] = version + 1
            st.rerun()


def edit_form(
    key: str,
    draw: Callable[[str], Callable[[], dict[str, Any]]],
    update: Callable[..., Any],
    *,
    done: str,
) -> None:
    with st.form(key):
        read = draw(key)
        problem = st.empty()
        if st.form_submit_button("Save", key=f"{key}_save") and save(
            lambda: update(**read()), where=problem, done=done
        ):
            st.rerun()
