"""AppTest: people in the conversation have person avatars and proper names, and the
dashboard's tiles and charts agree, each saying its period and definition."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from analytics.selectors import MAX_DAYS
from analytics.services import rebuild as rebuild_stats
from complaints import services
from complaints.models import Feedback
from complaints.workflow import Status
from streamlit_frontend import ui
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory
from tests.helpers.frontend import chart, goto, log_in, open_detail, plotted, texts

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_replies_carry_a_person_and_a_proper_name(new_app, categories, customer):
    nameless = UserFactory.create(role=Role.AGENT, full_name="")
    complaint = services.complaint_create(
        customer=customer, category=categories[0], title="Late parcel", description="Where?"
    )
    services.comment_create(complaint=complaint, author=nameless, body="On its way", internal=False)
    services.comment_create(complaint=complaint, author=customer, body="Thanks", internal=False)

    at = new_app()
    log_in(at, customer.email)
    open_detail(at, complaint)

    messages = {m.name: m.avatar for m in at.get("chat_message")}
    assert set(messages) == {"Support agent", customer.full_name}
    assert "support_agent" in messages["Support agent"]
    assert "person" in messages[customer.full_name]
    assert not any(avatar in {"assistant", "user", ""} for avatar in messages.values())
    assert "**Support agent**" in texts(at)


def test_dashboard_tiles_and_charts_agree_and_say_their_period(new_app, supervisor):
    category = CategoryFactory.create(name="Billing")
    CategoryFactory.create(name="Empty one")  # a 0 % share: a bar of its own, no label pile-up
    now = timezone.now()
    resolved = ComplaintFactory.create(
        category=category,
        status=Status.RESOLVED,
        created_at=now - timedelta(minutes=10),
        acknowledged_at=now - timedelta(minutes=8),
        resolved_at=now - timedelta(minutes=2),
    )
    Feedback.objects.create(complaint=resolved, rating=4)
    rebuild_stats()  # rows written directly: counted the way a bulk load is

    boss = new_app()
    log_in(boss, supervisor.email)
    goto(boss, "app_pages/dashboard.py")

    headers = [h.value for h in boss.header]
    assert headers == ["Last 30 days", "Open now", "All time"]
    metrics = {m.label: m.value for m in boss.metric}
    assert metrics["Median time to acknowledge"] == "2 min"
    assert metrics["Median time to resolve"] == "8 min"
    assert metrics["Satisfied ratings"] == "100%"
    assert metrics["Average rating"] == "4.0/5"
    assert metrics["Complaints"] == "1"
    shown = texts(boss)
    # Definitions and periods in visible text, not only in tooltips.
    assert "share of ratings of 4 or 5 stars among the 1 rating(s) given in the last 30 days" in (
        shown
    )
    assert "Over every complaint ever filed, whatever the period chosen above." in shown
    assert not [m for m in boss.metric if m.help]

    # The time chart: one unit, each bar labelled as its tile says it.
    times = chart(boss, "chart_ttr")
    assert list(times["data"][0]["text"]) == ["2 min", "8 min"]
    assert times["layout"]["yaxis"]["title"]["text"] == "min"

    # Categories as bars (every category its own label), not a donut of overlapping "0 %".
    categories = chart(boss, "chart_category")
    assert categories["data"][0]["type"] == "bar"
    assert set(categories["data"][0]["y"]) == {"Billing", "Empty one"}

    boss.selectbox(key="dash_days").set_value(7).run()
    assert boss.header[0].value == "Last 7 days"
    assert "given in the last 7 days" in texts(boss)


def test_the_daily_chart_draws_filed_and_resolved_as_two_labelled_series(new_app, supervisor):
    now = timezone.now()
    ComplaintFactory.create(created_at=now - timedelta(minutes=10))
    ComplaintFactory.create(
        status=Status.RESOLVED,
        created_at=now - timedelta(minutes=10),
        acknowledged_at=now - timedelta(minutes=8),
        resolved_at=now - timedelta(minutes=2),
    )
    rebuild_stats()

    boss = new_app()
    log_in(boss, supervisor.email)
    goto(boss, "app_pages/dashboard.py")

    series = {trace["name"]: trace for trace in chart(boss, "chart_per_day")["data"]}
    assert set(series) == {"Filed", "Resolved"}
    assert all(trace["showlegend"] for trace in series.values())
    # Today is the last day of the window: two filed, one of them resolved.
    assert plotted(series["Filed"]["y"])[-1] == 2
    assert plotted(series["Resolved"]["y"])[-1] == 1


def test_the_period_menu_reaches_the_longest_window_the_api_allows(new_app, supervisor):
    boss = new_app()
    log_in(boss, supervisor.email)
    goto(boss, "app_pages/dashboard.py")
    assert boss.selectbox(key="dash_days").options[-1] == f"Last {MAX_DAYS} days"

    boss.selectbox(key="dash_days").set_value(MAX_DAYS).run()
    assert boss.header[0].value == f"Last {MAX_DAYS} days"
    assert len(plotted(chart(boss, "chart_per_day")["data"][0]["x"])) == MAX_DAYS


def test_fmt_duration_and_its_chart_unit_agree():
    for seconds, unit in ((90, "min"), (3 * 3600, "h"), (5 * 86400, "days")):
        assert ui.duration_unit(seconds)[0] == unit
        assert ui.fmt_duration(seconds).endswith(f" {unit}")
