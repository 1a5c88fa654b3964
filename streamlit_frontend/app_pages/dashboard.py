"""Supervisor dashboard: what happened in the chosen period, what is open now, and the all-time
figures, each under a heading that says which it is.

Everything comes from one ``GET /api/stats/`` call. Only the daily volume and the ratings (its
``per_day`` and ``csat`` blocks) follow the period; open work is counted now; the medians, the
SLA breach rate and the category and priority counts cover every complaint ever filed.
"""

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from streamlit_frontend import ui

# Above this share of breached complaints the gauge turns red.
BREACH_RATE_ALARM = 0.1
# The periods offered besides the longest the API allows (its ``max_days``).
PERIODS = (7, 30, 90)
CHART_MARGIN = {"t": 20, "b": 10}

api = ui.require_login()
if not api.sees_dashboard:
    st.error("The dashboard is for supervisors and admins.")
    st.stop()

head, pick = st.columns([4, 1], vertical_alignment="bottom")
head.title("Dashboard")
# The period picked on the last run; the API's default window on the first.
chosen: int | None = st.session_state.get("dash_days")
loaded = ui.attempt(lambda: api.stats(days=chosen), spinner="Loading statistics...")
if not loaded.ok:
    st.stop()
stats: dict[str, Any] = dict(loaded.value or {})
days = int(stats["days"])
longest = int(stats.get("max_days") or days)
periods = sorted({*(d for d in PERIODS if d < longest), longest, days})
pick.selectbox(
    "Period",
    options=periods,
    index=periods.index(days),
    format_func=lambda d: f"Last {d} days",
    key="dash_days",
)
period = f"the last {days} days"

# --- the chosen period ---------------------------------------------------------------------

per_day = pd.DataFrame(stats.get("per_day") or [])
csat: dict[str, Any] = dict(stats.get("csat") or {})
csat_rate = csat.get("satisfied_share")
csat_avg = csat.get("average_rating")
csat_responses = int(csat.get("responses") or 0)
distribution: dict[str, int] = csat.get("distribution") or {}

st.header(f"Last {days} days", divider="gray")
st.caption(
    f"Complaints filed and resolved, and ratings given, in {period} (UTC days, today included)."
)
m = st.columns(4)
m[0].metric("Filed", int(per_day["created"].sum()) if not per_day.empty else 0)
m[1].metric("Resolved", int(per_day["resolved"].sum()) if not per_day.empty else 0)
m[2].metric("Satisfied ratings", "-" if csat_rate is None else f"{csat_rate:.0%}")
m[3].metric("Average rating", "-" if csat_avg is None else f"{csat_avg:.1f}/5")
st.caption(
    f"**Satisfied ratings**: the share of ratings of 4 or 5 stars among the {csat_responses} "
    f"rating(s) given in {period}. **Average rating**: the mean of those ratings, 1 to 5 stars."
)

left, right = st.columns(2)
with left:
    st.subheader("Filed and resolved per day")
    if per_day.empty:
        st.caption("No data for this period.")
    else:
        per_day["day"] = pd.to_datetime(per_day["day"])
        long = per_day.rename(columns={"created": "Filed", "resolved": "Resolved"}).melt(
            id_vars="day",
            value_vars=["Filed", "Resolved"],
            var_name="series",
            value_name="complaints",
        )
        # One line per series, each in the legend: readable for a week as for a year.
        fig = px.line(long, x="day", y="complaints", color="series")
        fig.update_layout(height=320, margin=CHART_MARGIN, legend_title_text="", xaxis_title="")
        st.plotly_chart(fig, key="chart_per_day")
with right:
    st.subheader("Ratings")
    if not csat_responses:
        st.caption("No ratings in this period.")
    else:
        frame = pd.DataFrame(
            [{"stars": f"{i}★", "ratings": int(distribution.get(str(i), 0))} for i in range(1, 6)]
        )
        fig = px.bar(frame, x="stars", y="ratings", text="ratings")
        fig.update_layout(height=320, margin=CHART_MARGIN, xaxis_title="")
        st.plotly_chart(fig, key="chart_csat")
        st.caption(
            f"{csat_responses} rating(s) in {period}"
            + ("" if csat_avg is None else f", average {csat_avg:.1f}/5")
            + "."
        )

# --- now -----------------------------------------------------------------------------------

by_status: dict[str, int] = stats.get("by_status") or {}
open_total = sum(by_status.get(s, 0) for s in ui.open_statuses())

st.header("Open now", divider="gray")
st.caption("Complaints not yet finished at this moment, whenever they were filed.")
st.metric("Open now", open_total)
if not open_total:
    st.caption("Nothing open right now.")
else:
    open_rows = [
        {"status": ui.status_label(s), "count": by_status.get(s, 0)} for s in ui.open_statuses()
    ]
    fig = px.bar(pd.DataFrame(open_rows), x="count", y="status", orientation="h", text="count")
    fig.update_layout(height=280, margin=CHART_MARGIN, yaxis_title="", xaxis_title="complaints")
    st.plotly_chart(fig, key="chart_open_status")

# --- all time ------------------------------------------------------------------------------

breach_rate = stats.get("sla_breach_rate")
medians = {
    "Acknowledge": stats.get("median_seconds_to_acknowledge"),
    "Resolve": stats.get("median_seconds_to_resolve"),
}

st.header("All time", divider="gray")
st.caption(
    "Over every complaint ever filed, whatever the period chosen above. Times run from filing "
    "to the first acknowledgement and to the resolution (the median: half took less)."
)
m = st.columns(4)
m[0].metric("Complaints", stats.get("total", 0))
m[1].metric("SLA breach rate", "-" if breach_rate is None else f"{breach_rate:.0%}")
m[2].metric("Median time to acknowledge", ui.fmt_duration(medians["Acknowledge"]))
m[3].metric("Median time to resolve", ui.fmt_duration(medians["Resolve"]))
st.caption(
    f"**SLA breach rate**: {stats.get('sla_breached', 0)} complaint(s) missed a deadline (to "
    f"acknowledge or to resolve) of the {stats.get('sla_decided', 0)} whose outcome is known."
)

left, middle, right = st.columns(3)
with left:
    st.subheader("SLA breach rate")
    if breach_rate is None:
        st.caption("No complaint has an SLA outcome yet.")
    else:
        fig = go.Figure(
            go.Indicator(
                mode="gauge+number",
                value=breach_rate * 100,
                number={"suffix": "%", "valueformat": ".0f"},
                gauge={
                    "axis": {"range": [0, 100]},
                    "bar": {"color": "#d62728" if breach_rate > BREACH_RATE_ALARM else "#2ca02c"},
                },
            )
        )
        fig.update_layout(height=260, margin=CHART_MARGIN)
        st.plotly_chart(fig, key="chart_sla")
with middle:
    st.subheader("Median time to acknowledge / resolve")
    known = [v for v in medians.values() if v is not None]
    if not known:
        st.caption("No acknowledged or resolved complaints yet.")
    else:
        # One unit for both bars (that of the longer), each labelled as its tile says it.
        unit, seconds_per_unit = ui.duration_unit(max(known))
        frame = pd.DataFrame(
            [
                {
                    "step": step,
                    unit: (value or 0) / seconds_per_unit,
                    "label": ui.fmt_duration(value),
                }
                for step, value in medians.items()
            ]
        )
        fig = px.bar(frame, x="step", y=unit, text="label")
        fig.update_layout(height=260, margin=CHART_MARGIN, xaxis_title="")
        st.plotly_chart(fig, key="chart_ttr")
with right:
    st.subheader("By priority")
    by_priority = stats.get("by_priority") or {}
    frame = pd.DataFrame(
        [
            {"priority": ui.priority_label(p), "complaints": by_priority.get(p, 0)}
            for p in ui.priorities()
        ]
    )
    fig = px.bar(frame, x="priority", y="complaints", text="complaints")
    fig.update_layout(height=260, margin=CHART_MARGIN, xaxis_title="")
    st.plotly_chart(fig, key="chart_priority")

st.subheader("By category")
by_category = pd.DataFrame(stats.get("by_category") or [])
if by_category.empty or not by_category["count"].sum():
    st.caption("No complaints yet.")
else:
    # Bars, not a donut: small and empty categories keep a readable label of their own.
    frame = by_category.sort_values(["count", "name"], ascending=[True, False])
    fig = px.bar(frame, x="count", y="name", orientation="h", text="count")
    fig.update_layout(
        height=max(200, 40 * len(frame)),
        margin=CHART_MARGIN,
        yaxis_title="",
        xaxis_title="complaints",
    )
    st.plotly_chart(fig, key="chart_category")

st.caption(f"Generated {ui.fmt_dt(stats.get('generated_at'))}")
