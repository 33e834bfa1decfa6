"""Partner statements: the marts, the documents, the payout file.

Expected values are worked out by hand from tests/raw_exports/commissions
(its README) and the rule `rule_partner_statements`
(models/intermediate/commissions/_commissions__docs.md).
"""

import csv
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import assert_not_blank, browser, build_on, combined_export, output
from partner_payouts.statements.render import LINE_COLUMNS, render, write_statement

pytestmark = pytest.mark.dbt

D = Decimal


def statements(wh):
    return {row[0]: row[1:] for row in wh.rows(
        "select statement_number, is_final, agreement_id, period_start, payout_currency, "
        "commission_amount, adjustment_amount, carried_in_amount, payout_amount, "
        "carried_out_amount, payout_due_on, customer_count, line_count "
        "from marts.rpt_partner_statements")}


def test_statements_are_numbered_per_program_and_year(commission_warehouse):
    assert statements(commission_warehouse) == {
        # NetSource: January, March (closed) and April (open).
        "NSR-2025-00001": (True, "A002", date(2025, 1, 1), "USD", D("100"), D("0"), D("0"),
                           D("100.00"), D("0"), date(2025, 2, 28), 1, 1),
        "NSR-2025-00002": (True, "A002", date(2025, 3, 1), "USD", D("100"), D("0"), D("0"),
                           D("100.00"), D("0"), date(2025, 4, 30), 1, 1),
        "NSR-2025-00003": (False, "A002", date(2025, 4, 1), "USD", D("100"), D("0"), D("0"),
                           D("100.00"), D("0"), date(2025, 5, 31), 1, 1),
        # NWS: Q1 (closed) 3 x 150.00, Q2 150.00.
        "NWS-2025-00001": (True, "A001", date(2025, 1, 1), "EUR", D("450"), D("0"), D("0"),
                           D("450.00"), D("0"), date(2025, 4, 30), 1, 3),
        "NWS-2025-00002": (False, "A001", date(2025, 4, 1), "EUR", D("150"), D("0"), D("0"),
                           D("150.00"), D("0"), date(2025, 7, 31), 1, 1),
        # OpenNebula: February (closed); March's credit note carries -133.33;
        # April only carries it (a statement without lines).
        "ONB-2025-00001": (True, "A004", date(2025, 2, 1), "EUR", D("830.769230769230"),
                           D("0"), D("0"), D("830.77"), D("0"), date(2025, 3, 31), 1, 2),
        "ONB-2025-00002": (False, "A004", date(2025, 3, 1), "EUR", D("-133.333333333333"),
                           D("0"), D("0"), D("0.00"), D("-133.33"), date(2025, 4, 30), 1, 1),
        "ONB-2025-00003": (False, "A004", date(2025, 4, 1), "EUR", D("0"), D("0"),
                           D("-133.33"), D("0.00"), D("-133.33"), date(2025, 5, 31), 0, 0),
        "ONW-2025-00001": (False, "A005", date(2025, 3, 1), "USD", D("6000"), D("0"), D("0"),
                           D("6000.00"), D("0"), date(2025, 4, 19), 1, 1),
    }


def statement_lines(wh, number):
    return wh.rows(
        "select l.customer_id, l.natural_period_start, l.is_adjustment, l.invoice_currency, "
        "l.payout_units_per_invoice_unit, l.base_amount, l.commission_rate, "
        "l.commission_amount, l.line_count, l.excluded_line_count, l.held_line_count, "
        "l.main_exclusion_reason from marts.fct_partner_statement_lines as l "
        "inner join marts.rpt_partner_statements as s on l.statement_id = s.statement_id "
        f"where s.statement_number = '{number}' order by 1, 2")


def test_statement_lines_itemise_each_customer(commission_warehouse):
    wh = commission_warehouse
    # Bergwerk: 3 x 1,000 at 15 %; the MyEngineer line earns nothing.
    assert statement_lines(wh, "NWS-2025-00001") == [
        ("C001", date(2025, 1, 1), False, "EUR", None, D("3000"), D("0.15"), D("450"), 3, 1,
         0, "product_excluded")]
    # Nebula Labs, in USD at 1.04 USD per EUR on 28 February: base 6,000 /
    # 1.04 = 5,769.230769230769|23 and 1,200 / 1.04 = 1,153.846153846153|85,
    # kept at 12 decimals (5,769.230769230769 + 1,153.846153846154); at 12 %:
    # 692.307692307692 + 138.461538461538.
    assert statement_lines(wh, "ONB-2025-00001") == [
        ("C003", date(2025, 2, 1), False, "USD", D("0.9615384615384615"),
         D("6923.076923076923"), D("0.12"), D("830.769230769230"), 2, 0, 0, None)]
    # NetSource, March: February's invoice paid in March earns; March's own
    # invoice is held (not paid yet).
    assert statement_lines(wh, "NSR-2025-00002") == [
        ("C002", date(2025, 3, 1), False, "USD", None, D("1000"), D("0.10"), D("100"), 1, 0,
         1, None)]


def render_to(wh, folder, **options):
    with duckdb.connect(str(wh.path), read_only=True) as con:
        return render(con, folder, progress=None, **options)


def pdf_text(path, page=None):
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", *pages, "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def embedded_csv(path, tmp_path):
    target = tmp_path / f"attached_{path.parent.name}.csv"
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(target), str(path)], check=True)
    return target.read_text(encoding="utf-8")


def test_documents_show_the_statement_and_carry_its_lines(commission_warehouse, tmp_path):
    summary = render_to(commission_warehouse, tmp_path / "out")
    assert summary.statements == 9
    folder = tmp_path / "out" / "A004" / "2025-02-01"
    document = (folder / "statement.html").read_text(encoding="utf-8")
    for shown in ("Partner statement ONB-2025-00001", "OpenNebula Reseller / Referral "
                  "Partnership", "Alpine Cloud Partners GmbH", "A004",
                  "2025-02-01 to 2025-02-28", "final", "net of VAT", "Nebula Labs Inc",
                  "6,923.08 EUR", "12 %", "830.77 EUR", "0.9615384615384615 EUR per USD",
                  "2025-03-31"):
        assert shown in document, shown
    assert "DRAFT" not in document
    with open(folder / "lines.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == LINE_COLUMNS
    assert [(r["customer_id"], r["base_amount"], r["commission_amount"]) for r in rows] == [
        ("C003", "6923.076923076923", "830.769230769230")]
    text = pdf_text(folder / "statement.pdf")
    for shown in ("ONB-2025-00001", "830.77 EUR", "net of VAT", "Final"):
        assert shown in text, shown
    assert embedded_csv(folder / "statement.pdf", tmp_path) == (folder / "lines.csv").read_text()
    # A draft says so; NetSource's held line and NWS's excluded line are listed.
    assert "DRAFT" in pdf_text(tmp_path / "out" / "A004" / "2025-03-01" / "statement.pdf")
    nws = (tmp_path / "out" / "A001" / "2025-01-01" / "statement.html").read_text()
    assert "product excluded" in nws
    # The payout file: exactly the positive payouts, and their totals.
    with open(tmp_path / "out" / "payouts.csv", newline="", encoding="utf-8") as handle:
        payouts = [(r["statement_number"], r["currency"], r["amount"], r["due_on"])
                   for r in csv.DictReader(handle)]
    assert payouts == [
        ("NSR-2025-00001", "USD", "100.00", "2025-02-28"),
        ("NSR-2025-00002", "USD", "100.00", "2025-04-30"),
        ("NSR-2025-00003", "USD", "100.00", "2025-05-31"),
        ("NWS-2025-00001", "EUR", "450.00", "2025-04-30"),
        ("NWS-2025-00002", "EUR", "150.00", "2025-07-31"),
        ("ONB-2025-00001", "EUR", "830.77", "2025-03-31"),
        ("ONW-2025-00001", "USD", "6000.00", "2025-04-19")]
    assert summary.totals == {"EUR": D("1430.77"), "USD": D("6300.00")}


def test_the_command_prints_the_totals_per_currency(commission_warehouse, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "partner_payouts.cli", "statements", "--warehouse",
         str(commission_warehouse.path), "--out", str(tmp_path / "out"), "--agreement", "A001",
         "--no-pdf"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["  total to pay  EUR            600.00"]
    assert sorted(p.name for p in (tmp_path / "out" / "A001").iterdir()) == [
        "2025-01-01", "2025-04-01"]


def test_a_draft_says_draft_on_every_page(tmp_path):
    statement = {"statement_id": "S1", "statement_number": "NWS-2025-00099",
                 "statement_sequence": 99, "is_final": False, "partner_id": "P1",
                 "partner_name": "Many Customers Ltd", "agreement_id": "A1",
                 "program_code": "nws_partner_lead", "program_name": "NWS Partner Lead Program",
                 "vendor_name": "NETWAYS Web Services", "period_start": date(2025, 4, 1),
                 "period_end": date(2025, 6, 30), "payout_currency": "EUR",
                 "commission_amount": D("1800"), "adjustment_amount": D("0"),
                 "period_net_amount": D("1800.00"), "carried_in_amount": D("0"),
                 "payout_amount": D("1800.00"), "carried_out_amount": D("0"),
                 "payout_due_on": date(2025, 7, 31), "customer_count": 120, "line_count": 120}
    lines = [{"statement_line_id": f"L{i}", "statement_id": "S1", "customer_id": f"C{i:03d}",
              "customer_name": f"Customer {i:03d}", "natural_period_start": date(2025, 4, 1),
              "is_adjustment": False, "invoice_currency": "EUR", "payout_currency": "EUR",
              "payout_units_per_invoice_unit": None, "base_amount": D("100"),
              "commission_rate": D("0.15"), "commission_amount": D("15"), "line_count": 1,
              "excluded_line_count": 0, "held_line_count": 0, "main_exclusion_reason": None}
             for i in range(120)]
    folder = write_statement(tmp_path, statement, lines)
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(folder / "statement.pdf")], capture_output=True, text=True,
        check=True).stdout.splitlines() if line.startswith("Pages:")))
    assert pages >= 3
    for page in range(1, pages + 1):
        assert "DRAFT" in pdf_text(folder / "statement.pdf", page), page


def test_closed_statements_never_change(commission_warehouse, tmp_path):
    """Rebuilt with late documents (tests/raw_exports/commissions_late), the
    final statements render to the same HTML and CSV bytes and the same PDF
    text, under the same numbers; the open NWS Q2 changes (-30.00)."""
    before = render_to(commission_warehouse, tmp_path / "before")
    late = build_on(commission_warehouse.path,
                    combined_export(tmp_path, "commissions", "commissions_late"), tmp_path / "b")
    assert late.result.returncode == 0, output(late.result)[-3000:]
    after = render_to(late, tmp_path / "after")
    assert after.statements >= before.statements
    final = [(s, f) for s, f in [(row[0], row[1]) for row in commission_warehouse.rows(
        "select agreement_id, period_start from marts.rpt_partner_statements where is_final")]]
    assert len(final) == 4
    for agreement, period in final:
        one = tmp_path / "before" / agreement / period.isoformat()
        two = tmp_path / "after" / agreement / period.isoformat()
        for name in ("statement.html", "lines.csv"):
            assert (one / name).read_bytes() == (two / name).read_bytes(), (agreement, name)
        assert pdf_text(one / "statement.pdf") == pdf_text(two / "statement.pdf")
    assert statements(late)["NWS-2025-00002"][7] == D("120.00")
    assert {k: v[0] for k, v in statements(late).items() if v[0]} == {
        k: v[0] for k, v in statements(commission_warehouse).items() if v[0]}


def test_demo_statements_add_up_to_the_payout_mart(demo_warehouse, tmp_path):
    """Every demo statement (HTML and CSV): the payout file lists exactly the
    positive payouts of fct_partner_payouts, totals per currency to the cent,
    and each lines.csv adds up to its statement."""
    summary = render_to(demo_warehouse, tmp_path / "out", with_pdf=False)
    expected = dict(demo_warehouse.rows(
        "select payout_currency, sum(payout_amount) from marts.fct_partner_payouts "
        "where payout_amount > 0 group by 1"))
    assert summary.totals == expected
    assert len(summary.payouts) == demo_warehouse.scalar(
        "select count(*) from marts.fct_partner_payouts where payout_amount > 0")
    amounts = dict(demo_warehouse.rows(
        "select agreement_id || '/' || cast(period_start as varchar), "
        "commission_amount + adjustment_amount from marts.rpt_partner_statements"))
    checked = 0
    for path in (tmp_path / "out").glob("*/*/lines.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            total = sum((D(r["commission_amount"]) for r in csv.DictReader(handle)), D(0))
        assert total == amounts[f"{path.parent.parent.name}/{path.parent.name}"], path
        checked += 1
    assert checked == summary.statements > 100


def test_a_statement_in_a_browser(commission_warehouse, tmp_path):
    """Headless Chromium shows the statement: the page's DOM carries the
    totals, and its screenshot is not blank."""
    render_to(commission_warehouse, tmp_path / "out", agreement="A004", with_pdf=False)
    page = (tmp_path / "out" / "A004" / "2025-02-01" / "statement.html").as_uri()
    dom = browser("--dump-dom", page, profile=tmp_path / "profile1").stdout
    assert "ONB-2025-00001" in dom and "830.77 EUR" in dom
    shot = tmp_path / "statement.png"
    browser(f"--screenshot={shot}", "--window-size=900,1200", page, profile=tmp_path / "p2")
    assert_not_blank(shot, (900, 1200))
