"""The reseller tier outlook method (models/marts/resellers/rpt_reseller_tier_outlook.py),
called directly on hand-made MRR histories; expected values worked out by hand."""

import importlib.util
import math
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from conftest import REPO

SPEC = importlib.util.spec_from_file_location(
    "rpt_reseller_tier_outlook", REPO / "models" / "marts" / "resellers" /
    "rpt_reseller_tier_outlook.py")
OUTLOOK = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(OUTLOOK)

BANDS = pd.DataFrame({
    "program_code": ["lsw_reseller"] * 7, "tier": list(range(7)),
    "mrr_from_eur": [Decimal(x) for x in (0, 500, 2000, 5000, 10000, 20000, 40000)]})
MONTHS = [date(2025, m, 1) for m in range(1, 8)]  # January..July; July = as-of month


def history(partner, mrr, current_tier):
    rows = [dict(partner_id=partner, agreement_id="A-" + partner, program_code="lsw_reseller",
                 month_start=month, mrr_eur=Decimal(value), earned_tier=None)
            for month, value in zip(MONTHS, mrr) if value is not None]
    rows.append(dict(partner_id=partner, agreement_id="A-" + partner,
                     program_code="lsw_reseller", month_start=MONTHS[6],
                     mrr_eur=Decimal(0), earned_tier=current_tier))
    return rows


def run(*histories):
    tiers = pd.DataFrame([row for h in histories for row in h])
    frame = OUTLOOK.outlook(tiers, BANDS, {"lsw_reseller": 1}, MONTHS[6], window=6,
                            min_months=3, horizon=36, high=0.5, medium=0.2)
    return {row["partner_id"]: row for row in frame.to_dict("records")}


def test_steady_growth_reaches_the_next_tier():
    # 1,000 .. 1,500 (+100 a month): fitted June = 1,500; 2,000 is 5 months
    # away (November), so the tier follows in December. No noise, July
    # projected at 1,600 above tier 1's 500: no risk.
    row = run(history("G", [1000, 1100, 1200, 1300, 1400, 1500], 1))["G"]
    assert row["mrr_trend_eur_per_month"] == pytest.approx(100)
    assert row["projected_mrr_eur"] == pytest.approx(1600)
    assert (row["next_tier"], row["months_to_next_tier"]) == (2, 5)
    assert row["projected_next_tier_month"] == date(2025, 12, 1)
    assert (row["drop_risk_pct"], row["drop_risk_level"]) == (0.0, "low")


def test_steady_decline_below_the_floor_is_a_certain_drop():
    # 2,100 .. 2,000 (-20 a month): July projected at 1,980, below tier 2's
    # 2,000 without noise: risk 1; falling, so no date for tier 3.
    row = run(history("D", [2100, 2080, 2060, 2040, 2020, 2000], 2))["D"]
    assert row["mrr_trend_eur_per_month"] == pytest.approx(-20)
    assert row["months_to_next_tier"] is None and row["projected_next_tier_month"] is None
    assert (row["drop_risk_pct"], row["drop_risk_level"]) == (1.0, "high")


def test_noisy_history_gives_a_probability():
    # 700, 500, 700, 500, 700, 500: slope -300 / 17.5 = -17.142857, intercept
    # 642.857143, July projected at 540.00; residual sum of squares 54,857.14
    # over 4 degrees of freedom, s = 117.1080; z = (500 - 540) / s = -0.34157;
    # P = Phi(z) = 0.3663: medium.
    row = run(history("N", [700, 500, 700, 500, 700, 500], 1))["N"]
    assert row["mrr_trend_eur_per_month"] == pytest.approx(-17.14)
    assert row["projected_mrr_eur"] == pytest.approx(540.0)
    assert row["drop_risk_pct"] == pytest.approx(0.3663)
    assert row["drop_risk_level"] == "medium"
    assert 0.5 * (1 + math.erf(-0.34157 / math.sqrt(2))) == pytest.approx(0.3663, abs=1e-4)


def test_short_history_and_tier_zero():
    rows = run(history("S", [None, None, None, None, 300, 400], 0),
               history("Z", [100, 120, 140, 160, 180, 200], 0))
    # Months with no row do not count: two complete months are too few.
    assert rows["S"]["method"].startswith("fewer than 3")
    # Tier 0 cannot drop; 500 is (500 - 200) / 20 = 15 months away.
    assert rows["Z"]["drop_risk_pct"] is None
    assert rows["Z"]["months_to_next_tier"] == 15


def test_the_exact_mrr_is_kept_and_a_program_without_terms_gets_no_outlook():
    rows = history("E", [1000, 1100, 1200, 1300, 1400, "1500.000000000001"], 1)
    for row in rows:
        row["mrr_eur_text"] = str(row["mrr_eur"])
    tiers = pd.DataFrame(rows)
    frame = OUTLOOK.outlook(tiers, BANDS, {"lsw_reseller": 1}, MONTHS[6], window=6,
                            min_months=3, horizon=36, high=0.5, medium=0.2)
    # The float fit would make this 1500.0; the stored value is the exact text.
    assert frame.loc[0, "last_mrr_eur"] == "1500.000000000001"
    no_terms = OUTLOOK.outlook(tiers, BANDS, {}, MONTHS[6], window=6,
                               min_months=3, horizon=36, high=0.5, medium=0.2)
    assert no_terms.loc[0, "method"] == "no reseller terms in force at the as-of date: no outlook"
    assert no_terms.loc[0, "months_to_next_tier"] is None
