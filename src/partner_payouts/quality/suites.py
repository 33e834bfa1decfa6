"""The expectation suites, as code: one batch per public mart (plus two
cross-mart checks), each a SQL query over the built warehouse and the
expectations its rows must meet.

Money checks are computed exactly in SQL (decimal arithmetic) and handed to
Great Expectations as differences that must be zero, because pandas turns
decimals into floats. Every expectation has a description: it is the name
`partner-payouts validate` prints when the expectation fails.
"""

from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx

from partner_payouts.quality.project import mart_columns, personal_data_columns

E = gx.expectations


@dataclass
class Batch:
    name: str
    description: str
    sql: str
    expectations: list = field(default_factory=list)
    optional: bool = False  # validated only when its relation exists


def key(column):
    return [
        E.ExpectColumnValuesToNotBeNull(
            column=column, description=f"{column} is never null (the grain's key)"),
        E.ExpectColumnValuesToBeUnique(
            column=column, description=f"{column} is unique (one row per grain)"),
    ]


def contract(columns, mart):
    return E.ExpectTableColumnsToMatchSet(
        column_set=columns, exact_match=True,
        description=f"{mart} has exactly its contracted columns (so no personal data either)")


def zero(column, what, tolerance=0):
    """A computed difference that must be zero (within `tolerance`). Column-map
    expectations skip nulls, so the column must also never be null."""
    return [
        E.ExpectColumnValuesToNotBeNull(column=column, description=f"{what} (never unknown)"),
        E.ExpectColumnValuesToBeBetween(
            column=column, min_value=-tolerance, max_value=tolerance, description=what),
    ]


def within(column, low, high, what):
    return E.ExpectColumnValuesToBeBetween(
        column=column, min_value=low, max_value=high, description=what)


def in_set(column, values, what):
    return E.ExpectColumnValuesToBeInSet(column=column, value_set=values, description=what)


def batches(project_dir: Path) -> list[Batch]:
    columns = mart_columns(project_dir)
    personal = sorted(personal_data_columns(project_dir))
    return [
        Batch(
            "fct_partner_payouts",
            "Payouts per agreement and settlement period",
            """
            with line_sums as (
                select
                    agreement_id,
                    settlement_period_start as period_start,
                    sum(case when not is_adjustment
                        then commission_amount_payout_currency else 0 end)
                        as lines_commission,
                    sum(case when is_adjustment
                        then commission_amount_payout_currency else 0 end)
                        as lines_adjustment,
                    count(*) as lines_count
                from marts.fct_commission_lines
                where status = 'payable'
                group by all
            ),
            payouts as (
                select
                    *,
                    lag(carried_out_amount) over (
                        partition by agreement_id order by period_start
                    ) as previous_carried_out_amount
                from marts.fct_partner_payouts
            )
            select
                payouts.* exclude (previous_carried_out_amount),
                payouts.payout_amount + payouts.carried_out_amount
                    - payouts.period_net_amount - payouts.carried_in_amount
                    as balance_difference,
                payouts.carried_in_amount
                    - coalesce(payouts.previous_carried_out_amount, 0)
                    as carried_in_difference,
                payouts.period_net_amount - round(
                    payouts.commission_amount + payouts.adjustment_amount, 2)
                    as rounding_difference,
                coalesce(payouts.commission_amount, 0)
                    - coalesce(line_sums.lines_commission, 0) as lines_difference,
                coalesce(payouts.adjustment_amount, 0)
                    - coalesce(line_sums.lines_adjustment, 0) as adjustments_difference,
                coalesce(payouts.line_count, 0) - coalesce(line_sums.lines_count, 0)
                    as line_count_difference
            from payouts
            full outer join line_sums
                on payouts.agreement_id = line_sums.agreement_id
                and payouts.period_start = line_sums.period_start
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["fct_partner_payouts"] + [
                        "balance_difference", "carried_in_difference", "rounding_difference",
                        "lines_difference", "adjustments_difference",
                        "line_count_difference"],
                    exact_match=True,
                    description="fct_partner_payouts has exactly its contracted columns"),
                *key("payout_id"),
                within("payout_amount", 0, None, "no payout below zero"),
                *zero("carried_in_difference",
                      "the balance carried in is the previous period's balance carried out"),
                within("carried_in_amount", None, 0, "a carried-in balance is never positive"),
                within("carried_out_amount", None, 0, "a carried-out balance is never positive"),
                *zero("balance_difference",
                     "a payout equals its lines plus adjustments plus the carried balance "
                     "(payout + carried out = rounded lines + adjustments + carried in)"),
                *zero("rounding_difference",
                     "a payout row is rounded once: period net = round(commission + "
                     "adjustments, 2)"),
                *zero("lines_difference",
                     "commission_amount is the sum of the period's payable lines"),
                *zero("adjustments_difference",
                     "adjustment_amount is the sum of the late lines booked into the period"),
                *zero("line_count_difference", "line_count counts the period's payable lines"),
            ],
        ),
        Batch(
            "fct_commission_lines",
            "Commission per invoice line and partner agreement",
            """
            select
                lines.*,
                lines.commission_amount
                    - lines.commissionable_amount * lines.commission_rate
                    as commission_difference,
                terms.program_code as terms_program_code,
                terms.max_commission_rate as program_max_commission_rate,
                case when lines.status = 'excluded'
                    then lines.commission_amount else 0 end as excluded_commission
            from marts.fct_commission_lines as lines
            left join reference.commission_terms as terms
                on lines.program_code = terms.program_code
                and terms.valid_from <= lines.issued_on
                and (terms.valid_to is null or lines.issued_on < terms.valid_to)
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["fct_commission_lines"] + [
                        "commission_difference", "terms_program_code",
                        "program_max_commission_rate", "excluded_commission"],
                    exact_match=True,
                    description="fct_commission_lines has exactly its contracted columns"),
                *key("commission_line_id"),
                E.ExpectCompoundColumnsToBeUnique(
                    column_list=["invoice_line_id", "agreement_id"],
                    description="one row per invoice line and agreement"),
                *zero("commission_difference",
                     "commission = base × rate to the cent", tolerance=0.005),
                within("commission_rate", 0, 1, "commission rates are fractions between 0 and 1"),
                E.ExpectColumnValuesToNotBeNull(
                    column="terms_program_code",
                    description="every line has its program's terms in force on its issue day "
                                "(so the rate bound below is checked on every line)"),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="program_max_commission_rate", column_B="commission_rate",
                    or_equal=True, ignore_row_if="either_value_is_missing",
                    description="rates within the program's bounds (NetSource ≤ 10 %)"),
                in_set("status", ["payable", "held", "excluded"],
                       "status is payable, held or excluded"),
                *zero("excluded_commission", "an excluded line earns nothing"),
            ],
        ),
        Batch(
            "commission_line_coverage",
            "Every invoice line of a registered customer, once per agreement",
            """
            with registered as (
                select distinct agreements.agreement_id, leads.customer_id
                from staging.stg_partner_crm__leads as leads
                inner join staging.stg_partner_crm__partner_agreements as agreements
                    on leads.partner_id = agreements.partner_id
                    and leads.program_code = agreements.program_code
                inner join reference.programs as programs
                    on agreements.program_code = programs.program_code
                where programs.rule_type in ('revenue_share', 'first_year_commission')
            ),
            expected as (
                select registered.agreement_id, registered.customer_id,
                    count(lines.invoice_line_id) as expected_lines
                from registered
                left join staging.stg_billing__invoices as invoices
                    on registered.customer_id = invoices.customer_id
                left join staging.stg_billing__invoice_lines as lines
                    on invoices.invoice_id = lines.invoice_id
                group by all
            ),
            actual as (
                select agreement_id, customer_id, count(*) as actual_lines,
                    count(distinct invoice_line_id) as distinct_lines
                from marts.fct_commission_lines
                group by all
            )
            select
                coalesce(expected.agreement_id, actual.agreement_id) as agreement_id,
                coalesce(expected.customer_id, actual.customer_id) as customer_id,
                coalesce(actual.actual_lines, 0) - coalesce(expected.expected_lines, 0)
                    as missing_or_extra_lines,
                coalesce(actual.actual_lines, 0) - coalesce(actual.distinct_lines, 0)
                    as repeated_lines
            from expected
            full outer join actual
                on expected.agreement_id = actual.agreement_id
                and expected.customer_id = actual.customer_id
            """,
            [
                *zero("missing_or_extra_lines",
                     "every invoice line of an attributed customer appears in "
                     "fct_commission_lines for each of the partner's agreements"),
                *zero("repeated_lines", "no invoice line appears twice for one agreement"),
            ],
        ),
        Batch(
            "rpt_reseller_tiers_monthly",
            "Reseller tiers per month",
            """
            select
                tiers.*,
                bands.tier as band_tier,
                tiers.basis_mrr_eur - round(coalesce(basis.mrr_eur, 0), 2)
                    as basis_mrr_difference,
                date_diff('month', tiers.basis_month_start, tiers.month_start)
                    - terms.tier_basis_lag_months as basis_month_difference
            from marts.rpt_reseller_tiers_monthly as tiers
            left join marts.rpt_reseller_tiers_monthly as basis
                on tiers.partner_id = basis.partner_id
                and tiers.basis_month_start = basis.month_start
            left join reference.reseller_terms as terms
                on tiers.program_code = terms.program_code
                and terms.valid_from <= tiers.month_start
                and (terms.valid_to is null or tiers.month_start < terms.valid_to)
            left join reference.reseller_tier_bands as bands
                on tiers.program_code = bands.program_code
                and bands.valid_from <= tiers.month_start
                and (bands.valid_to is null or tiers.month_start < bands.valid_to)
                and tiers.basis_mrr_eur >= bands.mrr_from_eur
                and (bands.mrr_to_eur is null or tiers.basis_mrr_eur < bands.mrr_to_eur)
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["rpt_reseller_tiers_monthly"] + [
                        "band_tier", "basis_mrr_difference", "basis_month_difference"],
                    exact_match=True,
                    description="rpt_reseller_tiers_monthly has exactly its contracted columns"),
                *key("reseller_month_id"),
                E.ExpectColumnValuesToNotBeNull(
                    column="band_tier", description="every basis MRR falls in a band"),
                E.ExpectColumnPairValuesToBeEqual(
                    column_A="earned_tier", column_B="band_tier",
                    description="a reseller's tier matches its MRR band"),
                *zero("basis_mrr_difference",
                      "the basis MRR is the MRR of the basis month in cents "
                      "(0 before the first)"),
                *zero("basis_month_difference",
                      "the basis month is the month before (the program's lag)"),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="effective_tier", column_B="earned_tier", or_equal=True,
                    description="a grace period can only lift the tier"),
                within("monthly_fee_discount_pct", 0, 1, "discounts are fractions"),
                in_set("grace_outcome", ["confirmed", "lapsed"],
                       "grace outcomes are confirmed or lapsed"),
            ],
        ),
        Batch(
            "fct_reseller_discount_audit",
            "Discount audit per reseller invoice line",
            """
            select
                audit.*,
                audit.variance_amount
                    - (audit.invoiced_net_amount - audit.entitled_net_amount)
                    as variance_difference,
                case
                    when audit.variance_amount_eur is null then 1
                    when audit.finding = case
                        when audit.variance_amount_eur > audit.audit_tolerance_eur
                            then 'under_discounted'
                        when audit.variance_amount_eur < -audit.audit_tolerance_eur
                            then 'over_discounted'
                        else 'ok' end then 0
                    else 1
                end as finding_mismatch
            from marts.fct_reseller_discount_audit as audit
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["fct_reseller_discount_audit"] + [
                        "variance_difference", "finding_mismatch"],
                    exact_match=True,
                    description="fct_reseller_discount_audit has exactly its contracted columns"),
                *key("invoice_line_id"),
                within("entitled_discount_pct", 0, 1, "entitled discounts are fractions"),
                *zero("variance_difference", "variance = invoiced net - entitled net"),
                *zero("finding_mismatch",
                      "the finding follows the variance: under_discounted above the "
                      "tolerance, over_discounted below minus the tolerance, ok between"),
                in_set("finding", ["ok", "under_discounted", "over_discounted"],
                       "findings are ok, under_discounted or over_discounted"),
            ],
        ),
        Batch(
            "rpt_reseller_discount_audit_monthly",
            "Discount audit per reseller and month",
            "select * from marts.rpt_reseller_discount_audit_monthly",
            [
                contract(columns["rpt_reseller_discount_audit_monthly"],
                         "rpt_reseller_discount_audit_monthly"),
                *key("audit_month_id"),
                within("under_discounted_eur", 0, None, "overcharges are counted positive"),
                within("over_discounted_eur", 0, None, "revenue leaks are counted positive"),
            ],
        ),
        Batch(
            "rpt_lead_registry",
            "One Network lead registry",
            """
            select
                registry.*,
                case when registry.deal_status = 'won'
                    and (registry.deal_close_date is null
                         or registry.first_year_saas_revenue is null)
                    then 1 else 0 end as won_without_deal
            from marts.rpt_lead_registry as registry
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["rpt_lead_registry"] + ["won_without_deal"],
                    exact_match=True,
                    description="rpt_lead_registry has exactly its contracted columns"),
                *key("lead_id"),
                in_set("deal_status", ["open", "won", "lost", "expired"],
                       "deal status is open, won, lost or expired"),
                within("contacts_introduced", 0, None, "contacts are counted, never listed"),
                *zero("won_without_deal", "a won deal has a close date and first-year revenue"),
            ],
        ),
        Batch(
            "rpt_partner_benefits_monthly",
            "Partner benefits per agreement and month",
            """
            select
                benefits.*,
                case
                    when benefits.benefit_threshold_eur is null
                        then case when benefits.meets_benefit_threshold is null
                            then 0 else 1 end
                    when benefits.meets_benefit_threshold is null then 1
                    when benefits.meets_benefit_threshold
                        = (benefits.referred_net_revenue_eur
                           >= benefits.benefit_threshold_eur) then 0
                    else 1
                end as threshold_mismatch
            from marts.rpt_partner_benefits_monthly as benefits
            """,
            [
                E.ExpectTableColumnsToMatchSet(
                    column_set=columns["rpt_partner_benefits_monthly"] + ["threshold_mismatch"],
                    exact_match=True,
                    description="rpt_partner_benefits_monthly has exactly its contracted columns"),
                *key("benefit_month_id"),
                E.ExpectCompoundColumnsToBeUnique(
                    column_list=["agreement_id", "month_start"],
                    description="one row per agreement and month"),
                *zero("threshold_mismatch",
                     "the threshold is met exactly when referred revenue reaches it"),
            ],
        ),
        Batch(
            "rpt_data_quality_rejections",
            "Quarantined raw rows",
            "select * from marts.rpt_data_quality_rejections",
            [
                contract(columns["rpt_data_quality_rejections"], "rpt_data_quality_rejections"),
                *key("rejection_id"),
                E.ExpectColumnValuesToNotBeNull(
                    column="raw_record", description="every quarantined row keeps its values"),
            ],
        ),
        Batch(
            "rpt_reseller_tier_outlook",
            "Reseller tier outlook (Python model)",
            "select * from marts.rpt_reseller_tier_outlook",
            [
                contract(columns["rpt_reseller_tier_outlook"], "rpt_reseller_tier_outlook"),
                *key("partner_id"),
                within("drop_risk_pct", 0, 1, "drop risk is a probability"),
            ],
            optional=True,
        ),
        Batch(
            "marts_personal_data",
            "Columns of every mart",
            """
            select table_name, column_name
            from information_schema.columns
            where table_schema = 'marts'
            """,
            [
                E.ExpectColumnValuesToNotBeInSet(
                    column="column_name", value_set=personal,
                    description="no personal-data column in any mart ("
                                + ", ".join(personal) + " stay in staging)"),
            ],
        ),
    ]
