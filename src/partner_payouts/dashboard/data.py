"""What the dashboard shows: queries over the published snapshot's Parquet
files (never the build's warehouse), in an in-memory DuckDB, so money stays
exact decimals until a chart needs a float.

The snapshot folder comes from $PAYOUTS_SNAPSHOT_DIR (default `published`,
what `make publish` writes); its link is resolved once per load, so one
load reads one version even when a publish swaps it meanwhile.
"""

from __future__ import annotations

import json
from pathlib import Path

from partner_payouts.snapshot import MANIFEST, SNAPSHOT_ENV, snapshot_version

MARTS = ("rpt_reseller_tiers_monthly", "rpt_reseller_tier_outlook", "fct_partner_payouts",
         "rpt_reseller_discount_audit_monthly", "rpt_data_quality_rejections")

QUERIES = {
    # Reseller tiers month by month (charted).
    "tiers": """
        select partner_id, month_start, effective_tier, earned_tier, in_grace,
            basis_mrr_eur, next_tier, mrr_to_next_tier_eur
        from rpt_reseller_tiers_monthly
        order by partner_id, month_start""",
    # Where each reseller stands in its latest month, and its outlook.
    "tier_status": """
        select t.partner_id, t.month_start, t.effective_tier, t.in_grace, t.sla_level,
            t.basis_mrr_eur, t.next_tier, t.mrr_to_next_tier_eur,
            o.projected_next_tier_month, o.drop_risk_level
        from rpt_reseller_tiers_monthly as t
        left join rpt_reseller_tier_outlook as o on t.partner_id = o.partner_id
        qualify row_number() over (
            partition by t.partner_id order by t.month_start desc) = 1
        order by t.partner_id""",
    # Payouts per program, settlement period and payout currency: amounts
    # are never added across currencies.
    "payouts": """
        select program_code, period_start, period_end, payout_currency,
            case when bool_and(is_closed) then 'closed' else 'open' end as status,
            count(*) as agreements,
            sum(payout_amount) as payout_amount,
            sum(carried_out_amount) as carried_out_amount
        from fct_partner_payouts
        group by program_code, period_start, period_end, payout_currency
        order by program_code, period_start, payout_currency""",
    "payout_totals": """
        select payout_currency,
            sum(payout_amount) filter (where is_closed) as closed_amount,
            coalesce(sum(payout_amount) filter (where not is_closed), 0) as open_amount
        from fct_partner_payouts
        group by payout_currency
        order by payout_currency""",
    # The discount audit per month, all resellers (EUR).
    "discount_audit": """
        select month_start,
            sum(audited_line_count) as audited_lines,
            sum(finding_count) as findings,
            sum(under_discounted_eur) as overcharged_eur,
            sum(over_discounted_eur) as leaked_eur
        from rpt_reseller_discount_audit_monthly
        group by month_start
        order by month_start""",
    "quarantine": """
        select source_table, reason, count(*) as quarantined_rows
        from rpt_data_quality_rejections
        group by source_table, reason
        order by quarantined_rows desc, source_table, reason""",
}


class SnapshotMissing(Exception):
    """No (complete) snapshot to read; str() says what to do."""


def current_version(folder: Path) -> Path:
    """The version folder the snapshot link points at now."""
    version = snapshot_version(folder)
    if version is None:
        raise SnapshotMissing(
            f"No published snapshot at {folder}: run `make publish` after a build "
            f"(partner-payouts publish --warehouse <warehouse> --out {folder}), or point "
            f"{SNAPSHOT_ENV} at a snapshot folder.")
    missing = [m for m in MARTS if not (version / f"{m}.parquet").is_file()]
    if missing:
        raise SnapshotMissing(
            f"The snapshot {folder} lacks {', '.join(missing)}: publish it again from a "
            "current build (make publish).")
    return version


def load(version: Path) -> tuple[dict, dict]:
    """The snapshot's manifest and every query's rows as a pandas DataFrame
    (decimals as Decimal, dates as date)."""
    import duckdb

    manifest = json.loads((version / MANIFEST).read_text(encoding="utf-8"))
    with duckdb.connect() as con:
        for mart in MARTS:
            path = str(version / f"{mart}.parquet").replace("'", "''")
            con.execute(f"create view {mart} as select * from read_parquet('{path}')")
        frames = {name: con.sql(sql).to_arrow_table().to_pandas()
                  for name, sql in QUERIES.items()}
    return manifest, frames
