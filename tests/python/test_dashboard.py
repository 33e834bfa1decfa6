"""The Streamlit dashboard (src/partner_payouts/dashboard/) on a published
snapshot of the scale-1 demo: what it shows equals SQL over the marts; it
says what to do without a snapshot; in a real browser its charts render;
and a build of the warehouse runs while it is open."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from types import SimpleNamespace

import pytest

from conftest import assert_not_blank, browser, build_on, output
from partner_payouts.dashboard import APP
from partner_payouts.snapshot import SNAPSHOT_ENV, publish

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def demo_snapshot(demo_warehouse, tmp_path_factory):
    """A copy of the demo warehouse (so a test may build it again) and its
    published snapshot."""
    root = tmp_path_factory.mktemp("dashboard")
    warehouse = root / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse.path, warehouse)
    out = root / "published"
    publish(warehouse, out)
    return SimpleNamespace(warehouse=warehouse, raw_dir=demo_warehouse.raw_dir, out=out,
                           marts=demo_warehouse, root=root)


def run_app(monkeypatch, folder):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv(SNAPSHOT_ENV, str(folder))
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at):
    """Every chart: (its Vega-Lite spec, its data as a DataFrame)."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    found = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        data = [convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]
        found.append((spec, data[0] if data else None))
    return found


def rows(frame, *columns):
    return [tuple(row) for row in frame[list(columns)].itertuples(index=False)]


def money(value):
    return f"{value:,.2f}"


def test_the_dashboard_shows_the_marts(demo_snapshot, monkeypatch):
    wh = demo_snapshot.marts
    at = run_app(monkeypatch, demo_snapshot.out)
    assert [h.value for h in at.header] == [
        "Reseller tiers", "Partner payouts", "Reseller discount audit", "Quarantined rows"]
    assert demo_snapshot.out.resolve().name in at.caption[0].value

    # Payout totals per currency, closed and open periods: never across currencies.
    expected = {}
    for currency, closed, open_ in wh.rows(
            "select payout_currency, sum(payout_amount) filter (where is_closed), "
            "sum(payout_amount) filter (where not is_closed) from marts.fct_partner_payouts "
            "group by 1 order by 1"):
        expected[f"Paid, closed periods ({currency})"] = money(closed)
        expected[f"To pay, open periods ({currency})"] = money(open_)
    expected["Overcharged (EUR)"], expected["Leaked (EUR)"] = map(money, wh.rows(
        "select sum(under_discounted_eur), sum(over_discounted_eur) "
        "from marts.rpt_reseller_discount_audit_monthly")[0])
    quarantined = wh.scalar("select count(*) from marts.rpt_data_quality_rejections")
    expected["Quarantined rows"] = f"{quarantined:,}"
    assert {m.label: m.value for m in at.metric} == expected
    assert set(expected) >= {"Paid, closed periods (EUR)", "Paid, closed periods (USD)"}

    tier_table, payout_table, audit_table, quarantine_table = (d.value for d in at.dataframe)
    # Each reseller's latest month: tier and the distance to the next one.
    assert rows(tier_table, "partner_id", "month_start", "effective_tier", "basis_mrr_eur",
                "next_tier", "mrr_to_next_tier_eur") == wh.rows(
        "select partner_id, month_start, effective_tier, basis_mrr_eur, next_tier, "
        "mrr_to_next_tier_eur from marts.rpt_reseller_tiers_monthly qualify row_number() "
        "over (partition by partner_id order by month_start desc) = 1 order by 1")
    # Payouts per program, period and currency, closed or open, to the cent.
    assert rows(payout_table, "program_code", "period_start", "payout_currency", "status",
                "payout_amount") == wh.rows(
        "select program_code, period_start, payout_currency, "
        "case when bool_and(is_closed) then 'closed' else 'open' end, sum(payout_amount) "
        "from marts.fct_partner_payouts group by 1, 2, 3 order by 1, 2, 3")
    assert set(payout_table["status"]) == {"closed", "open"}
    assert rows(audit_table, "month_start", "overcharged_eur", "leaked_eur") == wh.rows(
        "select month_start, sum(under_discounted_eur), sum(over_discounted_eur) "
        "from marts.rpt_reseller_discount_audit_monthly group by 1 order by 1")
    assert sorted(rows(quarantine_table, "source_table", "reason", "quarantined_rows")) == (
        wh.rows("select source_table, reason, count(*) "
                "from marts.rpt_data_quality_rejections group by 1, 2 order by 1, 2"))

    # The charts: tiers over time, distance to the next tier, payouts per
    # currency, leakage and overcharge per month, quarantine by reason.
    found = charts(at)
    assert len(found) == 6
    tiers, distance, eur, usd, audit, quarantine = (data for _, data in found)
    assert len(tiers) == wh.scalar("select count(*) from marts.rpt_reseller_tiers_monthly")
    assert len(distance) == wh.scalar(
        "select count(distinct partner_id) from marts.rpt_reseller_tiers_monthly")
    for currency, data in (("EUR", eur), ("USD", usd)):
        assert set(data["payout_currency"]) == {currency}
        assert data["payout_amount"].sum() == pytest.approx(float(wh.scalar(
            "select sum(payout_amount) from marts.fct_partner_payouts "
            f"where payout_currency = '{currency}'")))
    assert audit.select_dtypes("number").sum().sum() == pytest.approx(float(wh.scalar(
        "select sum(under_discounted_eur + over_discounted_eur) "
        "from marts.rpt_reseller_discount_audit_monthly")))
    assert quarantine["quarantined_rows"].sum() == wh.scalar(
        "select count(*) from marts.rpt_data_quality_rejections")


def test_without_a_snapshot_it_says_run_make_publish(tmp_path, monkeypatch):
    at = run_app(monkeypatch, tmp_path / "published")
    assert len(at.error) == 1
    assert at.error[0].value.startswith(f"No published snapshot at {tmp_path / 'published'}: "
                                        "run `make publish` after a build")
    assert not at.header and not at.dataframe and not charts(at)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.fixture(scope="module")
def dashboard(demo_snapshot):
    """`streamlit run` of the app on the demo snapshot, as `make dashboard`
    starts it."""
    port = free_port()
    log = open(demo_snapshot.root / "streamlit.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--client.toolbarMode", "viewer"],
        env={**os.environ, SNAPSHOT_ENV: str(demo_snapshot.out)},
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            if get(url + "_stcore/health") == "ok":
                break
        except OSError:
            pass
        log.seek(0)
        assert process.poll() is None, log.read()[-3000:]
        assert time.monotonic() < deadline, "streamlit did not start: " + log.read()[-3000:]
        time.sleep(0.5)
    yield SimpleNamespace(url=url, process=process)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def test_the_dashboard_in_a_browser(dashboard, demo_snapshot, tmp_path):
    """Headless Chromium renders the page (Streamlit draws it client-side
    over a websocket): the DOM after scripts holds the six charts and the
    payout totals, and the screenshot shows charts."""
    wh = demo_snapshot.marts
    # A page load that comes before the app has run once (imports, the
    # snapshot read into its cache) ends before the charts arrive: wait.
    deadline, attempt = time.monotonic() + 180, 0
    while True:
        attempt += 1
        dom = browser("--dump-dom", "--virtual-time-budget=15000", dashboard.url,
                      profile=tmp_path / f"dom{attempt}").stdout
        if dom.count("vega-embed") >= 6 or time.monotonic() > deadline:
            break
    assert dom.count('data-testid="stVegaLiteChart"') == 6, dom[-2000:]
    for currency, closed in wh.rows(
            "select payout_currency, sum(payout_amount) from marts.fct_partner_payouts "
            "where is_closed group by 1"):
        assert money(closed) in dom, currency
    for title in ("Reseller tiers", "Partner payouts", "Reseller discount audit",
                  "Quarantined rows"):
        assert title in dom
    shot = tmp_path / "dashboard.png"
    deadline = time.monotonic() + 120
    while True:
        attempt += 1
        browser(f"--screenshot={shot}", "--window-size=1400,3500", "--hide-scrollbars",
                "--virtual-time-budget=15000", dashboard.url, profile=tmp_path / f"p{attempt}")
        if (shot.exists() and colourful_pixels(shot) > 20000) or time.monotonic() > deadline:
            break
    assert_not_blank(shot, (1400, 3500))
    assert colourful_pixels(shot) > 20000, "no chart was drawn"


def colourful_pixels(png) -> int:
    """Pixels of a strong colour: the charts' bars and lines (the page
    itself is black on white)."""
    from PIL import Image

    saturation = Image.open(png).convert("RGB").convert("HSV").getchannel("S").histogram()
    return sum(saturation[100:])


def test_a_build_runs_while_the_dashboard_is_open(dashboard, demo_snapshot, tmp_path):
    """The dashboard reads the snapshot, never the warehouse: the warehouse
    the snapshot came from builds (and publishes) while the app runs, and
    the app keeps serving the snapshot."""
    assert dashboard.process.poll() is None
    link = os.readlink(demo_snapshot.out)
    if os.path.isdir(f"/proc/{dashboard.process.pid}/fd"):
        held = {os.path.realpath(f"/proc/{dashboard.process.pid}/fd/{fd}")
                for fd in os.listdir(f"/proc/{dashboard.process.pid}/fd")}
        assert str(demo_snapshot.warehouse.resolve()) not in held
    rebuilt = build_on(demo_snapshot.warehouse, demo_snapshot.raw_dir, tmp_path,
                       in_place=True)
    assert rebuilt.result.returncode == 0, output(rebuilt.result)[-3000:]
    assert "PUBLISHED: 12 public marts" in rebuilt.result.stdout
    assert dashboard.process.poll() is None
    assert get(dashboard.url + "_stcore/health") == "ok"
    assert os.readlink(demo_snapshot.out) == link
