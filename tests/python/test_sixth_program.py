"""A sixth revenue-share program is a seed change, not a code change.

The test copies the dbt project, adds `acme_referral` (12 % of net sales,
monthly, EUR, training excluded) with seed rows only, and builds the
commission fixture plus an Acme partner, lead and invoices. Expected values
by hand: February 1,000 x 12 % = 120.00 (the 500 training line is
product_excluded), due 31 March; March 1,000 x 12 % = 120.00, due 30 April.
"""

import shutil
from datetime import date
from decimal import Decimal

import pytest

from conftest import REPO, RAW_EXPORTS, build, output

pytestmark = pytest.mark.dbt

PROJECT_PARTS = ["dbt_project.yml", "profiles", "models", "macros", "seeds", "analyses",
                 "tests/generic", "tests/singular"]

SEED_ROWS = {
    "programs.csv":
        "acme_referral,Acme Referral Program,Acme Cloud,revenue_share,none,ACM\n",
    "commission_terms.csv":
        "acme_referral,2020-01-01,,0.12,,EUR,1,invoice_issued,1,,false,false,"
        "existing_customer,false,false,,,,,\n",
    "commission_lead_statuses.csv": "acme_referral,approved,2020-01-01,\n",
    "commission_basis.csv":
        "acme_referral,product_family,*,true,2020-01-01,\n"
        "acme_referral,product_family,training,false,2020-01-01,\n"
        "acme_referral,charge_type,*,true,2020-01-01,\n",
}

RAW_ROWS = {
    "partners.csv": "P005,Acme Partners Ltd,acme-partners.example,GB,2024-01-05T10:00:00Z\n",
    "partner_agreements.csv": "A007,P005,acme_referral,approved,2024-01-10,2024-01-15,,,,\n",
    "customers.csv": "C006,Hafen GmbH,hafen.example,DE,VND-DE,,2025-01-20T08:00:00Z\n",
    "contracts.csv": "K007,C006,CLOUD,new,,2025-01-25,2025-01-25,2025-02-01,,,1,1000.00,EUR\n",
    "leads.csv": "L007,P005,acme_referral,C006,2025-01-15T09:00:00Z,approved,"
                 "2025-01-16T09:00:00Z,Kai Andersen,true\n",
    "invoices.csv": "I050,C006,VND-DE,invoice,,2025-02-01,2025-02-15,EUR,2025-02-01T06:00:00Z\n"
                    "I051,C006,VND-DE,invoice,,2025-03-01,2025-03-15,EUR,2025-03-01T06:00:00Z\n",
    "invoice_lines.csv":
        "IL050,I050,K007,CLOUD,recurring,2025-02-01,2025-02-28,1,1000.00,0.00,,1000.00,190.00\n"
        "IL051,I050,,TRN,one_time,2025-02-10,2025-02-10,1,500.00,0.00,,500.00,95.00\n"
        "IL052,I051,K007,CLOUD,recurring,2025-03-01,2025-03-31,1,1000.00,0.00,,1000.00,190.00\n",
}


def append(folder, rows):
    for name, text in rows.items():
        with open(folder / name, "a", encoding="utf-8") as handle:
            handle.write(text)


def test_sixth_program_is_added_with_seed_rows_only(tmp_path):
    project = tmp_path / "project"
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, project / part)
        else:
            (project / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, project / part)
    append(project / "seeds" / "program_terms", SEED_ROWS)
    raw = tmp_path / "raw"
    shutil.copytree(RAW_EXPORTS / "commissions", raw)
    append(raw, RAW_ROWS)

    wh = build(raw, tmp_path / "build", project_dir=project)
    assert wh.result.returncode == 0, output(wh.result)[-4000:]
    # Nothing of the new program was quarantined: the code is known.
    assert wh.scalar("select count(*) from marts.rpt_data_quality_rejections") == 0
    assert wh.rows(
        "select period_start, payout_currency, payout_amount, payout_due_on, line_count "
        "from marts.fct_partner_payouts where agreement_id = 'A007' order by 1") == [
        (date(2025, 2, 1), "EUR", Decimal("120.00"), date(2025, 3, 31), 1),
        (date(2025, 3, 1), "EUR", Decimal("120.00"), date(2025, 4, 30), 1),
    ]
    assert wh.rows(
        "select invoice_line_id, commission_rate, status, exclusion_reason "
        "from marts.fct_commission_lines where agreement_id = 'A007' order by 1") == [
        ("IL050", Decimal("0.12"), "payable", None),
        ("IL051", Decimal("0.12"), "excluded", "product_excluded"),
        ("IL052", Decimal("0.12"), "payable", None),
    ]
