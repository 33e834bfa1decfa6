"""Daily builds: a plain `dbt build` on yesterday's warehouse gives exactly
the marts that `dbt build --full-refresh` gives on today's export.

A sequence of daily exports of the commission fixture, each built twice
from the warehouse of the day before: plainly (the nightly run) and with
`--full-refresh`. Both keep what was published (closed periods never
change, rule `rule_closed_periods`), so every published mart, the
quarantine included, must agree on every day. The expected payouts are
worked out by hand from tests/raw_exports/commissions/README.md and
commissions_late/README.md.

- day 1: the commission fixture (NWS Q1 published final at 3 x 150.00);
- day 2: the late documents of commissions_late (a late credit note of
  -400 for Q1, closed; a late invoice of 200) and Bergwerk's Q1 line IL003
  exported with a broken net amount (900 instead of 1,000 - 0: quarantined);
- day 3: IL003 exported correctly again.
"""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from conftest import (build_on, closed_payouts, combined_export, edit_csv, output,
                      published_marts)
from test_publishing import corrections, payouts

pytestmark = pytest.mark.dbt

D = Decimal
IL003 = "IL003,I002,K001,CLOUD,recurring,2025-02-10,2025-03-09,1,1000.00,0.00,,"


def daily_exports(tmp_path):
    day2 = combined_export(tmp_path, "commissions", "commissions_late")
    edit_csv(day2 / "invoice_lines.csv", lambda lines: [
        line.replace(IL003 + "1000.00,", IL003 + "900.00,") for line in lines])
    day3 = shutil.copytree(day2, tmp_path / "day3")
    edit_csv(day3 / "invoice_lines.csv", lambda lines: [
        line.replace(IL003 + "900.00,", IL003 + "1000.00,") for line in lines])
    return day2, day3


def test_daily_builds_equal_full_refresh_builds(commission_warehouse, tmp_path):
    day2, day3 = daily_exports(tmp_path)
    closed_q1 = closed_payouts(commission_warehouse)
    nightly = refreshed = commission_warehouse
    for number, raw in ((2, day2), (3, day3)):
        nightly = build_on(nightly.path, raw, tmp_path / f"nightly{number}")
        refreshed = build_on(refreshed.path, raw, tmp_path / f"refreshed{number}",
                             command=("build", "--full-refresh",
                                      "--exclude-resource-type", "unit_test"))
        for wh in (nightly, refreshed):
            assert wh.result.returncode == 0, output(wh.result)[-4000:]
            assert closed_payouts(wh) == closed_q1
        assert published_marts(nightly) == published_marts(refreshed), f"day {number}"

        if number == 2:
            # Q2: its own 150.00, the late credit note -400 x 15 % = -60.00,
            # the late invoice 200 x 15 % = +30.00 and the correction of the
            # quarantined IL003 (published 150.00 in Q1, now gone): -150.00.
            # 150 - 180 = -30: pays 0.00 and carries -30.00.
            assert payouts(nightly, "A001")[1] == (
                date(2025, 4, 1), D("150"), D("-180"), D("0"), D("0.00"), D("-30.00"),
                False, 4)
            assert corrections(nightly) == [
                ("IL003", "A001", date(2025, 1, 1), date(2025, 4, 1), D("-150"),
                 "Correction of the final period starting 2025-01-01: published 150.00, "
                 "recomputed 0.00 EUR (gone)")]
            assert nightly.scalar(
                "select count(*) from marts.rpt_data_quality_rejections "
                "where source_table = 'invoice_lines' and record_key = 'IL003'") == 1
        else:
            # IL003 is back as published: no correction is left in the open
            # Q2, which pays 150 - 60 + 30 = 120.00.
            assert payouts(nightly, "A001")[1] == (
                date(2025, 4, 1), D("150"), D("-30"), D("0"), D("120.00"), D("0"), False, 3)
            assert corrections(nightly) == []
            assert nightly.scalar(
                "select count(*) from marts.rpt_data_quality_rejections "
                "where source_table = 'invoice_lines' and record_key = 'IL003'") == 0
