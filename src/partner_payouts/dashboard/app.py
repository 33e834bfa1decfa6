"""Partner payouts dashboard (Streamlit): `make publish && make dashboard`.

Reads only the published snapshot ($PAYOUTS_SNAPSHOT_DIR, default
`published`), never the build's warehouse, so a build can run while the
dashboard is open. Tables show the marts' exact decimals; charts plot them
as floats. Amounts of different currencies are never added up.
"""

from pathlib import Path

import altair as alt
import duckdb
import streamlit as st

from partner_payouts.dashboard.data import SnapshotMissing, current_version, load
from partner_payouts.snapshot import snapshot_dir

st.set_page_config(page_title="Partner payouts", layout="wide")
st.title("Partner payouts")


@st.cache_data(max_entries=2, show_spinner=False)
def cached(version: str):
    return load(Path(version))  # one entry per snapshot version


def money(value) -> str:
    return f"{value:,.2f}"


def as_floats(frame, *columns):
    return frame.astype({column: float for column in columns})


folder = snapshot_dir()
try:
    version = current_version(folder)
except SnapshotMissing as error:
    st.error(str(error))
    st.stop()
try:
    manifest, data = cached(str(version))
except (OSError, duckdb.Error) as error:  # e.g. the version was replaced meanwhile
    st.error(f"Reading the snapshot {version} failed ({str(error).splitlines()[0]}): "
             "reload the page.")
    st.stop()
st.caption(f"Snapshot `{folder}` ({version.name}), published {manifest['published_at']} "
           f"from the build published {manifest['build_published_at'] or 'at an unknown time'}."
           " The dashboard reads the snapshot, never the warehouse.")

MONEY = st.column_config.NumberColumn(format="%.2f")

# --- Reseller tiers ------------------------------------------------------------
st.header("Reseller tiers")
tiers, status = data["tiers"], data["tier_status"]
if tiers.empty:
    st.info("No reseller in this snapshot.")
else:
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Effective tier per month")
        chart = as_floats(tiers, "basis_mrr_eur", "mrr_to_next_tier_eur")
        st.altair_chart(
            alt.Chart(chart).mark_line(interpolate="step-after").encode(
                x=alt.X("month_start:T", title="month"),
                y=alt.Y("effective_tier:Q", title="effective tier",
                        axis=alt.Axis(tickMinStep=1)),
                color=alt.Color("partner_id:N", title="reseller"),
                tooltip=["partner_id", alt.Tooltip("month_start:T", format="%Y-%m"),
                         "effective_tier", "earned_tier", "in_grace", "next_tier",
                         alt.Tooltip("mrr_to_next_tier_eur:Q", format=",.2f")]),
            width="stretch")
    with right:
        st.subheader("EUR to the next tier (latest month)")
        st.bar_chart(as_floats(status.dropna(subset=["mrr_to_next_tier_eur"]),
                               "mrr_to_next_tier_eur"),
                     x="partner_id", y="mrr_to_next_tier_eur", horizontal=True,
                     x_label="reseller", y_label="EUR to the next tier")
    st.dataframe(status, hide_index=True, width="stretch", column_config={
        "basis_mrr_eur": MONEY, "mrr_to_next_tier_eur": MONEY})

# --- Partner payouts -----------------------------------------------------------
st.header("Partner payouts")
payouts, totals = data["payouts"], data["payout_totals"]
if payouts.empty:
    st.info("No payout in this snapshot.")
else:
    st.caption("Per program and settlement period, in each payout currency (amounts of "
               "different currencies are never added). Closed periods are final.")
    cells = st.columns(2 * len(totals))
    for i, row in enumerate(totals.itertuples()):
        cells[2 * i].metric(f"Paid, closed periods ({row.payout_currency})",
                            money(row.closed_amount or 0))
        cells[2 * i + 1].metric(f"To pay, open periods ({row.payout_currency})",
                                money(row.open_amount))
    for currency, cell in zip(totals["payout_currency"], st.columns(len(totals))):
        one = as_floats(payouts[payouts["payout_currency"] == currency], "payout_amount")
        one = one.assign(period=one["period_start"].astype(str))
        cell.subheader(f"Payouts in {currency}")
        cell.altair_chart(
            alt.Chart(one).mark_bar().encode(
                x=alt.X("period:O", title="settlement period (start)"),
                y=alt.Y("sum(payout_amount):Q", title=f"payout ({currency})"),
                color=alt.Color("program_code:N", title="program"),
                opacity=alt.Opacity("status:N", title="status",
                                    scale=alt.Scale(domain=["closed", "open"],
                                                    range=[1.0, 0.45])),
                tooltip=["program_code", "period", "status", "agreements",
                         alt.Tooltip("payout_amount:Q", format=",.2f")]),
            width="stretch")
    st.dataframe(payouts, hide_index=True, width="stretch", height=280, column_config={
        "payout_amount": MONEY, "carried_out_amount": MONEY})

# --- Discount audit ------------------------------------------------------------
st.header("Reseller discount audit")
audit = data["discount_audit"]
if audit.empty:
    st.info("No reseller invoice line in this snapshot.")
else:
    st.caption("Per invoice month, all resellers (EUR): overcharged = the reseller was "
               "given less discount than entitled (owed back); leaked = more discount "
               "than entitled.")
    first, second = st.columns(2)
    first.metric("Overcharged (EUR)", money(audit["overcharged_eur"].sum()))
    second.metric("Leaked (EUR)", money(audit["leaked_eur"].sum()))
    left, right = st.columns([3, 2])
    with left:
        chart = as_floats(audit, "overcharged_eur", "leaked_eur")
        st.bar_chart(chart.assign(month=chart["month_start"].astype(str).str[:7]),
                     x="month", y=["overcharged_eur", "leaked_eur"], stack=False,
                     x_label="invoice month", y_label="EUR")
    with right:
        st.dataframe(audit, hide_index=True, width="stretch", column_config={
            "overcharged_eur": MONEY, "leaked_eur": MONEY})

# --- Quarantine ----------------------------------------------------------------
st.header("Quarantined rows")
quarantine = data["quarantine"]
if quarantine.empty:
    st.info("No row was quarantined: the build trusted every raw row.")
else:
    st.metric("Quarantined rows", f"{int(quarantine['quarantined_rows'].sum()):,}")
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(
            alt.Chart(quarantine).mark_bar().encode(
                y=alt.Y("reason:N", sort="-x", title=None, axis=alt.Axis(labelLimit=260)),
                x=alt.X("sum(quarantined_rows):Q", title="rows"),
                color=alt.Color("source_table:N", title="raw table"),
                tooltip=["source_table", "reason", "quarantined_rows"]),
            width="stretch")
    with right:
        st.dataframe(quarantine, hide_index=True, width="stretch")
