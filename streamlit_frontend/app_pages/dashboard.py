"""Supervisor dashboard: volume per day, open work by status, SLA, time to resolve, CSAT.

Everything comes from one ``GET /api/stats/`` call; CSAT is its ``csat`` block (all feedback
given in the chosen period, aggregated by the server).
"""

from typing import Any

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from streamlit_frontend import ui

api = ui.require_login()
if not api.sees_dashboard:
    st.error("The dashboard is for supervisors and admins.")
    st.stop()

head, pick = st.columns([4, 1], vertical_alignment="bottom")
head.title("Dashboard")
days = pick.selectbox(
    "Period", options=[7, 30, 90], index=1, format_func=lambda d: f"Last {d} days", key="dash_days"
)

loaded = ui.attempt(lambda: api.stats(days=days), spinner="Loading statistics...")
if not loaded.ok:
    st.stop()
stats: dict[str, Any] = dict(loaded.value or {})
by_status: dict[str, int] = stats.get("by_status") or {}
open_total = sum(by_status.get(s, 0) for s in ui.open_statuses())
breach_rate = stats.get("sla_breach_rate")


csat: dict[str, Any] = dict(stats.get("csat") or {})
csat_rate = csat.get("satisfied_share")
csat_avg = csat.get("average_rating")
csat_responses = int(csat.get("responses") or 0)
distribution: dict[str, int] = csat.get("distribution") or {}

m = st.columns(5)
m[0].metric("Complaints (all time)", stats.get("total", 0))
m[1].metric("Open now", open_total)
m[2].metric(
    "SLA breach rate",
    "-" if breach_rate is None else f"{breach_rate:.0%}",
    help=f"{stats.get('sla_breached', 0)} breached of {stats.get('sla_decided', 0)} "
    "complaints whose SLA outcome is known.",
)
m[3].metric(
    "Median time to resolve",
    ui.fmt_duration(stats.get("median_seconds_to_resolve")),
    help="Median time to acknowledge: "
    + ui.fmt_duration(stats.get("median_seconds_to_acknowledge")),
)
m[4].metric(
    "CSAT",
    "-" if csat_rate is None else f"{csat_rate:.0%}",
    help=f"Share of 4-5 star ratings among the {csat_responses} rating(s) given in the last "
    f"{days} days. Average rating: " + ("-" if csat_avg is None else f"{csat_avg:.1f}/5") + ".",
)

left, right = st.columns(2)

per_day = pd.DataFrame(stats.get("per_day") or [])
with left:
    st.subheader("Volume per day")
    if per_day.empty:
        st.caption("No data for this period.")
    else:
        per_day["day"] = pd.to_datetime(per_day["day"])
        long = per_day.melt(
            id_vars="day", value_vars=["created", "resolved"], var_name="", value_name="complaints"
        )
        fig = px.bar(long, x="day", y="complaints", color="", barmode="group")
        fig.update_layout(height=320, margin={"t": 10, "b": 10}, legend_title_text="")
        st.plotly_chart(fig, key="chart_per_day")

with right:
    st.subheader("Open complaints by status")
    open_rows = [
        {"status": ui.status_label(s), "count": by_status.get(s, 0)} for s in ui.open_statuses()
    ]
    if not open_total:
        st.caption("Nothing open right now.")
    else:
        fig = px.bar(pd.DataFrame(open_rows), x="count", y="status", orientation="h", text="count")
        fig.update_layout(height=320, margin={"t": 10, "b": 10}, yaxis_title="")
        st.plotly_chart(fig, key="chart_open_status")

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
                number={"suffix": "%", "valueformat": ".1f"},
                gauge={
                    "axis": {"range": [0, 100]},
                    "bar": {"color": "#d62728" if breach_rate > 0.1 else "#2ca02c"},
                },
            )
        )
        fig.update_layout(height=260, margin={"t": 20, "b": 10})
        st.plotly_chart(fig, key="chart_sla")
with middle:
    st.subheader("Time to acknowledge / resolve")
    medians = {
        "Acknowledge": stats.get("median_seconds_to_acknowledge"),
        "Resolve": stats.get("median_seconds_to_resolve"),
    }
    if all(v is None for v in medians.values()):
        st.caption("No acknowledged or resolved complaints yet.")
    else:
        frame = pd.DataFrame([{"step": k, "hours": (v or 0) / 3600} for k, v in medians.items()])
        fig = px.bar(frame, x="step", y="hours", text_auto=".1f")
        fig.update_layout(height=260, margin={"t": 20, "b": 10}, xaxis_title="")
        st.plotly_chart(fig, key="chart_ttr")
    st.caption("Medians over all complaints.")
with right:
    st.subheader("Customer satisfaction")
    if not csat_responses:
        st.caption("No ratings in this period.")
    else:
        frame = pd.DataFrame(
            [{"stars": f"{i}★", "ratings": int(distribution.get(str(i), 0))} for i in range(1, 6)]
        )
        fig = px.bar(frame, x="stars", y="ratings", text="ratings")
        fig.update_layout(height=260, margin={"t": 20, "b": 10}, xaxis_title="")
        st.plotly_chart(fig, key="chart_csat")
    st.caption(
        f"{csat_responses} rating(s) in the last {days} days"
        + ("" if csat_avg is None else f", average {csat_avg:.1f}/5")
        + "."
    )

by_category = pd.DataFrame(stats.get("by_category") or [])
by_priority = stats.get("by_priority") or {}
left, right = st.columns(2)
with left:
    st.subheader("By category")
    if by_category.empty or not by_category["count"].sum():
        st.caption("No complaints yet.")
    else:
        fig = px.pie(by_category, names="name", values="count", hole=0.4)
        fig.update_layout(height=300, margin={"t": 10, "b": 10})
        st.plotly_chart(fig, key="chart_category")
with right:
    st.subheader("By priority")
    frame = pd.DataFrame(
        [
            {"priority": ui.priority_label(p), "count": by_priority.get(p, 0)}
            for p in ui.priorities()
        ]
    )
    fig = px.bar(frame, x="priority", y="count", text="count")
    fig.update_layout(height=300, margin={"t": 10, "b": 10}, xaxis_title="")
    st.plotly_chart(fig, key="chart_priority")

st.caption(f"Generated {ui.fmt_dt(stats.get('generated_at'))}")
