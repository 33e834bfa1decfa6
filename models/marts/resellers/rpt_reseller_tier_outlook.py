"""Reseller tier outlook: where each reseller's MRR trend is heading.

Python because the method is a small statistical fit per reseller (numpy),
which SQL expresses poorly. It reads and writes through DuckDB's relation
API, so it is enabled on DuckDB only (dbt_project.yml); on other adapters
it is disabled rather than left to fail. Method, per reseller with an
agreement in a `reseller_discount` program:

The method's parameters are the model's `meta.outlook` config in
dbt_project.yml (window_months, min_months, horizon_months, high_risk,
medium_risk); the values below are the ones set there. The basis lag is
the program's `tier_basis_lag_months` in force at the as-of date (seed
`reseller_terms`); a program without terms in force gets no outlook.

1. Observe the MRR (EUR) of the last `window_months` (6)
   complete months before the as-of month (int_reseller_tiers_earned).
   Fewer than `min_months` (3) observed months: no outlook (`method` says
   so).
2. Fit an ordinary least-squares line MRR = a + b·t (numpy.polyfit);
   b is `mrr_trend_eur_per_month`. The projection for the as-of month is
   a + b·(n), the residual standard deviation s (ddof 2) measures noise.
3. Next tier: the current tier is the one earned for the as-of month (band
   of the last complete month). If b > 0, the MRR reaches the next band's
   lower edge after k = ceil((edge − fitted last) / b) months; the tier
   follows `tier_basis_lag_months` later (`projected_next_tier_month`).
   Beyond `horizon_months` (36), or with b ≤ 0: null.
4. Risk of dropping a tier: the probability that the as-of month's MRR falls
   below the current band's lower edge, assuming normal residuals:
   P = Φ((edge − projection) / s) (s = 0: 1 if the projection is below the
   edge, else 0). Tier 0 cannot drop (null). `drop_risk_level`: high ≥
   `high_risk` (one half), medium ≥ `medium_risk` (one fifth), else low.

The fit runs in floating point: the outputs are estimates, rounded to cents
(money) and to 4 decimals (probability) and stored as decimals. Amounts owed
are never computed here; `last_mrr_eur` (the exact decimal MRR) and
`next_tier_floor_eur` (the seed's band edge) are carried through as text,
never through a float.
"""

import math

import numpy as np
import pandas as pd


def _months_between(start, end):
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day, months):
    index = day.year * 12 + day.month - 1 + months
    return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1).date()


def _exact(frame, column):
    """The column holding `column`'s exact text copy when the frame carries
    one (`<column>_text`), else the column itself."""
    return f"{column}_text" if f"{column}_text" in frame else column


def outlook(tiers, bands, lags, as_of_month, window, min_months, horizon, high, medium):
    """One outlook row per reseller; plain pandas in, pandas out (unit-testable).

    `tiers` may carry `mrr_eur_text` (the exact MRR as text): then
    `last_mrr_eur` is that text, so no float touches the stored amount;
    likewise `bands` may carry `mrr_from_eur_text` for `next_tier_floor_eur`.
    """
    rows = []
    for (partner_id, agreement_id, program_code), history in tiers.groupby(
            ["partner_id", "agreement_id", "program_code"], dropna=False):
        history = history.sort_values("month_start")
        complete = history[history["month_start"] < as_of_month].tail(window)
        current = history[history["month_start"] == as_of_month]
        program_bands = bands[bands["program_code"] == program_code].set_index("tier")
        row = dict(partner_id=partner_id, agreement_id=agreement_id,
                   program_code=program_code, as_of_month=as_of_month,
                   months_observed=len(complete), last_complete_month=None,
                   last_mrr_eur=None, current_tier=None, mrr_trend_eur_per_month=None,
                   projected_mrr_eur=None, next_tier=None, next_tier_floor_eur=None,
                   months_to_next_tier=None, projected_next_tier_month=None,
                   drop_risk_pct=None, drop_risk_level=None,
                   method=f"least-squares trend of the last {window} complete months")
        if len(current):
            row["current_tier"] = int(current["earned_tier"].iloc[0])
        if program_code not in lags:
            row["method"] = "no reseller terms in force at the as-of date: no outlook"
            rows.append(row)
            continue
        lag = int(lags[program_code])
        if len(complete) < min_months or row["current_tier"] is None:
            row["method"] = f"fewer than {min_months} complete months: no outlook"
            rows.append(row)
            continue
        y = complete["mrr_eur"].astype(float).to_numpy()
        t = np.arange(len(y), dtype=float)
        slope, intercept = np.polyfit(t, y, 1)
        fitted = intercept + slope * t
        spread = float(np.sqrt(((y - fitted) ** 2).sum() / (len(y) - 2))) if len(y) > 2 else 0.0
        projection = intercept + slope * len(y)
        row.update(last_complete_month=complete["month_start"].iloc[-1],
                   last_mrr_eur=complete[_exact(complete, "mrr_eur")].iloc[-1],
                   mrr_trend_eur_per_month=round(slope, 2),
                   projected_mrr_eur=round(projection, 2))
        tier = row["current_tier"]
        if tier + 1 in program_bands.index:
            floor = float(program_bands.loc[tier + 1, "mrr_from_eur"])
            # The seed's edge as text when given (exact); the fit uses floats.
            row.update(next_tier=tier + 1, next_tier_floor_eur=program_bands.loc[
                tier + 1, _exact(program_bands, "mrr_from_eur")])
            if slope > 0:
                # Rounded first: the float fit must not turn 5 into 5.0000001.
                k = max(1, math.ceil(round((floor - fitted[-1]) / slope, 6)))
                if k <= horizon:
                    row["months_to_next_tier"] = k
                    row["projected_next_tier_month"] = _add_months(
                        row["last_complete_month"], k + lag)
        if tier > 0 and tier in program_bands.index:
            edge = float(program_bands.loc[tier, "mrr_from_eur"])
            if spread > 0:
                # The normal distribution function, Phi(z) = (1 + erf(z / sqrt 2)) / 2.
                risk = (1 + math.erf((edge - projection) / (spread * math.sqrt(2)))) / 2
            else:
                risk = 1.0 if projection < edge else 0.0
            row["drop_risk_pct"] = round(risk, 4)
            row["drop_risk_level"] = ("high" if risk >= high
                                      else "medium" if risk >= medium else "low")
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_COLUMNS))


_COLUMNS = {
    "partner_id": "varchar", "agreement_id": "varchar", "program_code": "varchar",
    "as_of_month": "date", "months_observed": "integer", "last_complete_month": "date",
    "last_mrr_eur": "decimal(38, 12)", "current_tier": "integer",
    "mrr_trend_eur_per_month": "decimal(18, 2)", "projected_mrr_eur": "decimal(18, 2)",
    "next_tier": "integer", "next_tier_floor_eur": "decimal(18, 4)",
    "months_to_next_tier": "integer", "projected_next_tier_month": "date",
    "drop_risk_pct": "decimal(8, 4)", "drop_risk_level": "varchar", "method": "varchar",
}


def model(dbt, session):
    dbt.config(materialized="table")
    # The exact MRR travels as text next to the float copy the fit uses.
    tiers = dbt.ref("int_reseller_tiers_earned").project(
        "partner_id, agreement_id, program_code, month_start, earned_tier, mrr_eur, "
        "cast(mrr_eur as varchar) as mrr_eur_text").df()
    bands = dbt.ref("reseller_tier_bands").project(
        "*, cast(mrr_from_eur as varchar) as mrr_from_eur_text").df()
    terms = dbt.ref("reseller_terms").df()
    as_of = dbt.ref("int_as_of_dates_derived").df()["as_of_on"].iloc[0]
    as_of_month = pd.Timestamp(as_of).date().replace(day=1)

    def in_force(frame):
        return frame[(frame["valid_from"] <= as_of)
                     & (frame["valid_to"].isna() | (frame["valid_to"] > as_of))]

    today_terms = in_force(terms)
    lags = dict(zip(today_terms["program_code"], today_terms["tier_basis_lag_months"]))
    tiers["month_start"] = pd.to_datetime(tiers["month_start"]).dt.date
    method = dbt.config.get("meta")["outlook"]
    frame = outlook(
        tiers, in_force(bands), lags, as_of_month,
        window=int(method["window_months"]), min_months=int(method["min_months"]),
        horizon=int(method["horizon_months"]),
        high=float(method["high_risk"]), medium=float(method["medium_risk"]))
    session.register("reseller_tier_outlook_frame", frame)
    casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in _COLUMNS.items())
    return session.sql(f"select {casts} from reseller_tier_outlook_frame")
