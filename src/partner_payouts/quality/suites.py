"""The expectation suites, as code: a batch per public mart whose rules are
not all dbt tests (plus cross-mart checks), each a SQL query over the built
warehouse and the expectations its rows must meet.

One place per invariant (DECISIONLOG D67): what a dbt data test already
guards - grain keys (`unique`, `not_null`, `unique_combination`), accepted
values, the `expression_is_true` rules on the marts (payout ≥ 0, balances
≤ 0, payout + carried out = net + carried in, paid or carried, commission =
base × rate, an excluded line earns nothing, status and reason agree, the
audit's variance and finding, ...) and the singular tests in
tests/singular/ (a payout is the sum of its lines in one currency, a carried
balance stays in one currency, every line of a registered customer appears
once per agreement, statement lines add up) - is not derived again here:
dbt tests the marts before they are published (write-audit-publish), so
those rules hold for every published row. What stays is what no dbt test
checks: each mart's contracted column set, the rules re-derived
independently from the seeds and staging (rates, conversion, tiers, basis
MRR, benefits), continuity across rows (carried balances, months without
gaps), coverage against staging, cross-mart agreement, plausibility ranges,
and personal data.

Money checks are computed exactly in SQL (decimal arithmetic) and handed to
Great Expectations as differences that must be zero, because pandas turns
decimals into floats. Every expectation has a description: it is the name
`partner-payouts validate` prints when the expectation fails.

The SQL is portable: the same text runs on DuckDB and on PostgreSQL
(standard SQL; no `group by all`, `* exclude`, ASOF joins, `date_diff`,
`year()` or DuckDB's JSON functions).
"""

from dataclasses import dataclass, field
from pathlib import Path

import great_expectations as gx

from partner_payouts.quality.project import (
    disabled_models, mart_columns, personal_data_columns,
)

E = gx.expectations

# Public marts whose every rule is a dbt data test: no rule suite here (their
# column sets are still checked by their contract__ suites).
GUARDED_BY_DBT = {
    "fct_reseller_discount_audit":
        "key (unique, not_null), finding and variance (expression_is_true), "
        "entitled discount (fraction_between_0_and_1); its coverage of the "
        "reseller lines is in coverage_of_reseller_marts",
    "rpt_reseller_tier_outlook":
        "key (unique, not_null), drop risk (fraction_between_0_and_1), "
        "drop risk level (accepted_values), column types (its enforced contract); "
        "the method in the unit tests of int_reseller_tier_outlook_projected",
}


@dataclass
class Batch:
    name: str
    description: str
    sql: object  # SQL text, or a function of the open warehouse returning it
    expectations: list = field(default_factory=list)
    mart: str | None = None  # the public mart the batch validates

    def query(self, warehouse) -> str:
        """The batch's SQL, keeping only the columns its expectations read
        (all of them when one is a table-level expectation)."""
        sql = self.sql(warehouse) if callable(self.sql) else self.sql
        columns = self.columns_read()
        if columns is None:
            return sql
        return f"select {', '.join(columns)} from ({sql}) as batch"

    def columns_read(self) -> list[str] | None:
        names = []
        for expectation in self.expectations:
            kwargs = expectation.configuration.kwargs
            found = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
            found += list(kwargs.get("column_list") or [])
            if not found:
                return None
            names += [name for name in found if name not in names]
        return names


def in_force(alias: str, day: str) -> str:
    """An effective-dated seed row (`valid_from` inclusive, `valid_to`
    exclusive, null = open) is in force on `day` (as the dbt macro)."""
    return (f"{alias}.valid_from <= {day} "
            f"and ({alias}.valid_to is null or {day} < {alias}.valid_to)")


def months_between(earlier: str, later: str) -> str:
    """Calendar months from `earlier`'s month to `later`'s (portable SQL for
    DuckDB's date_diff('month', ...))."""
    return (f"((extract(year from {later}) - extract(year from {earlier})) * 12 "
            f"+ extract(month from {later}) - extract(month from {earlier}))")


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


# Column names that hold personal data whatever the sources call them.
PERSONAL_NAME_PATTERN = r"(^|_)(e_?mail|email_address|full_name|first_name|last_name|" \
                        r"contact_name|phone|phone_number)(_|$)"
# Text columns in information_schema.columns: DuckDB says VARCHAR,
# PostgreSQL character varying or text.
TEXT_TYPES = "('VARCHAR', 'CHARACTER VARYING', 'TEXT')"


def personal_values_sql(warehouse) -> str:
    """One row per text column of every mart: how many of its values are the
    e-mail address of a lead contact (from staging). Built from the
    warehouse's catalog, so a new mart or column is covered without a code
    change. Addresses only: a contact's name may legitimately equal a sales
    rep's or a partner's, and an '@' may be part of a company name, so
    neither names nor the shape of an address would be a reliable alarm."""
    columns = warehouse.rows(
        "select table_name, column_name from information_schema.columns "
        f"where table_schema = 'marts' and upper(data_type) in {TEXT_TYPES} "
        "order by table_name, column_name")
    parts = []
    for table, column in columns:
        parts.append(
            f"select '{table}' as table_name, '{column}' as column_name, "
            f"count(case when lower(\"{column}\") in (select address from secrets) "
            f"then 1 end) as contact_email_values "
            f"from marts.\"{table}\"")
    if not parts:
        parts = ["select null as table_name, null as column_name, 0 as contact_email_values"]
    return ("with secrets as (select distinct lower(email) as address "
            "from staging.stg_partner_crm__lead_contacts where email is not null) "
            + " union all ".join(parts))


def contract_batches(columns: dict[str, list[str]]) -> list[Batch]:
    """One tiny batch per public mart: its columns against its contract (an
    empty result, so the rule batches can carry only the columns their
    expectations read, and validation stays small at any scale)."""
    return [Batch(f"contract__{mart}", f"The columns of {mart}",
                  f"select * from marts.{mart} limit 0", [contract(names, mart)])
            for mart, names in sorted(columns.items())]


def batches(project_dir: Path, engine: str = "duckdb") -> list[Batch]:
    """Every batch to validate on a warehouse of `engine` (dbt's target
    type): none for a mart the project switches off there."""
    off = disabled_models(project_dir, engine)
    columns = {mart: names for mart, names in mart_columns(project_dir).items()
               if mart not in off}
    return [batch for batch in contract_batches(columns) + rule_batches(columns, project_dir)
            if batch.mart not in off]


def rule_batches(columns: dict[str, list[str]], project_dir: Path) -> list[Batch]:
    personal = sorted(personal_data_columns(project_dir))
    return [
        Batch(
            "fct_partner_payouts",
            "Payouts per agreement and settlement period",
            """
            with line_dues as (
                select
                    agreement_id,
                    settlement_period_start as period_start,
                    count(*) as lines_count,
                    max(payable_on) as lines_latest_payable_on
                from marts.fct_commission_lines
                where status = 'payable'
                group by agreement_id, settlement_period_start
            ),
            payouts as (
                select
                    *,
                    lag(carried_out_amount) over (
                        partition by agreement_id order by period_start
                    ) as previous_carried_out_amount,
                    lead(period_start) over (
                        partition by agreement_id order by period_start
                    ) as next_period_start
                from marts.fct_partner_payouts
            ),
            as_of as (
                select as_of_on from intermediate.int_as_of_dates_derived
            )
            select
                case when payouts.carried_out_amount >= 0 then 0
                     when payouts.next_period_start = payouts.period_end + 1 then 0
                     when payouts.next_period_start is null
                         and payouts.period_end >= as_of.as_of_on then 0
                     else 1 end as carried_balance_lost,
                case when line_dues.lines_count is null then 0
                     else coalesce(payouts.payout_due_on - line_dues.lines_latest_payable_on,
                                   999999) end
                    as due_date_difference_days,
                payouts.carried_in_amount
                    - coalesce(payouts.previous_carried_out_amount, 0)
                    as carried_in_difference,
                payouts.period_net_amount - round(
                    payouts.commission_amount + payouts.adjustment_amount, 2)
                    as rounding_difference
            from payouts
            cross join as_of
            left join line_dues
                on payouts.agreement_id = line_dues.agreement_id
                and payouts.period_start = line_dues.period_start
            """,
            [
                *zero("carried_in_difference",
                      "the balance carried in is the previous period's balance carried out"),
                *zero("rounding_difference",
                     "a payout row is rounded once: period net = round(commission + "
                     "adjustments, 2)"),
                *zero("carried_balance_lost",
                      "a negative balance is carried into the very next period, which has "
                      "its payout row (up to the as-of date)"),
                *zero("due_date_difference_days",
                      "a payout is due on the latest due date of its lines"),
            ],
            mart="fct_partner_payouts",
        ),
        Batch(
            "fct_commission_lines",
            "Commission per invoice line and partner agreement",
            f"""
            with recursive roots as (
                -- Each document's root invoice, up a chain of credit notes.
                select invoice_id, invoice_id as root_id, issued_on as root_issued_on,
                    0 as depth
                from staging.stg_billing__invoices
                where corrects_invoice_id is null
                union all
                select documents.invoice_id, roots.root_id, roots.root_issued_on,
                    roots.depth + 1
                from staging.stg_billing__invoices as documents
                inner join roots on documents.corrects_invoice_id = roots.invoice_id
                where roots.depth < 100
            ),
            earning as (
                -- The day whose terms decide a line: its issue day, or for a
                -- credit note the issue day of the invoice it ultimately corrects.
                -- Correction rows are differences, not base × rate; rows of
                -- final periods were checked when they were published and
                -- never change, whatever later exports say.
                select
                    lines.*,
                    coalesce(roots.root_issued_on, lines.issued_on) as earning_on
                from marts.fct_commission_lines as lines
                left join roots on lines.invoice_id = roots.invoice_id
                where not lines.is_correction
            ),
            fx as (
                select currency, rate_on, units_per_eur from staging.stg_billing__fx_rates
            ),
            rated as (
                select
                    earning.*,
                    terms.program_code as terms_program_code,
                    terms.max_commission_rate as program_max_commission_rate,
                    coalesce(agreements.commission_rate_override, terms.commission_rate)
                        as requested_rate
                from earning
                left join reference.commission_terms as terms
                    on earning.program_code = terms.program_code
                    and {in_force('terms', 'earning.earning_on')}
                left join staging.stg_partner_crm__partner_agreements as agreements
                    on earning.agreement_id = agreements.agreement_id
            ),
            rate_days as (
                -- The (currency, settlement period's last day) pairs to convert
                -- at, and the latest staged rate on or before each day.
                select invoice_currency as currency, settlement_period_end as rate_day
                from rated where settlement_period_end is not null
                union
                select payout_currency, settlement_period_end
                from rated where settlement_period_end is not null
            ),
            latest_rates as (
                select rate_days.currency, rate_days.rate_day, max(fx.rate_on) as rate_on
                from rate_days
                inner join fx
                    on rate_days.currency = fx.currency
                    and fx.rate_on <= rate_days.rate_day
                group by rate_days.currency, rate_days.rate_day
            ),
            rates as (
                select latest_rates.currency, latest_rates.rate_day, fx.units_per_eur
                from latest_rates
                inner join fx
                    on latest_rates.currency = fx.currency
                    and latest_rates.rate_on = fx.rate_on
            ),
            converted as (
                select
                    rated.*,
                    case when rated.invoice_currency = 'EUR' then 1
                         else invoice_fx.units_per_eur end as expected_invoice_rate,
                    case when rated.payout_currency = 'EUR' then 1
                         else payout_fx.units_per_eur end as expected_payout_rate
                from rated
                left join rates as invoice_fx
                    on rated.invoice_currency = invoice_fx.currency
                    and rated.settlement_period_end = invoice_fx.rate_day
                left join rates as payout_fx
                    on rated.payout_currency = payout_fx.currency
                    and rated.settlement_period_end = payout_fx.rate_day
            )
            select
                commission_rate,
                program_max_commission_rate,
                case when is_final then 0 else commission_rate end - case
                    when is_final then 0
                    when program_max_commission_rate is not null
                        and requested_rate > program_max_commission_rate
                        then program_max_commission_rate
                    else requested_rate end as rate_difference,
                case when terms_program_code is null and status <> 'excluded' then 1
                     else 0 end as terms_missing,
                case when is_final then 0
                    when status = 'payable' then
                    cast(commission_amount_payout_currency as double precision)
                    - cast(commission_amount as double precision)
                      * cast(expected_payout_rate as double precision)
                      / cast(expected_invoice_rate as double precision)
                    when commission_amount_payout_currency is null then 0
                    end as conversion_difference
            from converted
            """,
            [
                *zero("terms_missing",
                      "every line that earns has its program's terms in force on its "
                      "earning day (so the rate checks below cover it)"),
                *zero("rate_difference",
                      "every line's rate is its agreement's override, else its program's "
                      "rate, capped at the program's maximum (terms of its earning day)"),
                E.ExpectColumnPairValuesAToBeGreaterThanB(
                    column_A="program_max_commission_rate", column_B="commission_rate",
                    or_equal=True, ignore_row_if="either_value_is_missing",
                    description="rates within the program's bounds (NetSource ≤ 10 %)"),
                *zero("conversion_difference",
                      "a payable line's payout-currency amount is its commission converted "
                      "at the settlement period's last-day rate", tolerance=0.000001),
            ],
            mart="fct_commission_lines",
        ),
        Batch(
            "rpt_reseller_tiers_monthly",
            "Reseller tiers per month",
            f"""
            with sequenced as (
                select
                    *,
                    lag(month_start) over (
                        partition by partner_id order by month_start
                    ) as previous_month_start,
                    max(month_start) over (partition by partner_id) as last_month_start
                from marts.rpt_reseller_tiers_monthly
            )
            select
                tiers.earned_tier,
                tiers.monthly_fee_discount_pct,
                bands.tier as band_tier,
                tiers.effective_tier - greatest(tiers.earned_tier,
                                                coalesce(tiers.granted_tier, 0))
                    as effective_tier_difference,
                case when effective_bands.tier is not null
                    and tiers.monthly_fee_discount_pct = effective_bands.monthly_fee_discount_pct
                    and tiers.setup_fee_discount_pct = effective_bands.setup_fee_discount_pct
                    and tiers.sla_level = effective_bands.sla_level then 0 else 1 end
                    as tier_terms_mismatch,
                coalesce({months_between('tiers.previous_month_start', 'tiers.month_start')}
                         - 1, 0) as month_gap,
                {months_between('tiers.last_month_start', 'as_of.as_of_on')}
                    as months_missing_at_end,
                tiers.basis_mrr_eur - round(coalesce(basis.mrr_eur, 0), 2)
                    as basis_mrr_difference,
                {months_between('tiers.basis_month_start', 'tiers.month_start')}
                    - terms.tier_basis_lag_months as basis_month_difference
            from sequenced as tiers
            cross join intermediate.int_as_of_dates_derived as as_of
            left join marts.rpt_reseller_tiers_monthly as basis
                on tiers.partner_id = basis.partner_id
                and tiers.basis_month_start = basis.month_start
            left join reference.reseller_terms as terms
                on tiers.program_code = terms.program_code
                and {in_force('terms', 'tiers.month_start')}
            left join reference.reseller_tier_bands as bands
                on tiers.program_code = bands.program_code
                and {in_force('bands', 'tiers.month_start')}
                and (tiers.basis_mrr_eur >= bands.mrr_from_eur or bands.mrr_from_eur = 0)
                and (bands.mrr_to_eur is null or tiers.basis_mrr_eur < bands.mrr_to_eur)
            left join reference.reseller_tier_bands as effective_bands
                on tiers.program_code = effective_bands.program_code
                and {in_force('effective_bands', 'tiers.month_start')}
                and tiers.effective_tier = effective_bands.tier
            """,
            [
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
                within("monthly_fee_discount_pct", 0, 1, "discounts are fractions"),
                *zero("effective_tier_difference",
                      "the effective tier is the higher of the earned and the granted tier"),
                *zero("tier_terms_mismatch",
                      "a month's discounts and SLA level are its effective tier's, as in force"),
                *zero("month_gap", "a reseller's months follow each other without a gap"),
                *zero("months_missing_at_end",
                      "every reseller's months run to the as-of month"),
            ],
            mart="rpt_reseller_tiers_monthly",
        ),
        Batch(
            "rpt_reseller_discount_audit_monthly",
            "Discount audit per reseller and month",
            """
            with audited as (
                select
                    partner_id,
                    cast(date_trunc('month', issued_on) as date) as month_start,
                    finding,
                    variance_amount_eur
                from marts.fct_reseller_discount_audit
            ),
            recomputed as (
                select
                    partner_id,
                    month_start,
                    count(*) as lines,
                    count(case when finding <> 'ok' then 1 end) as findings,
                    round(coalesce(sum(case when finding = 'under_discounted'
                        then variance_amount_eur end), 0), 2) as under_eur,
                    round(coalesce(-sum(case when finding = 'over_discounted'
                        then variance_amount_eur end), 0), 2) as over_eur
                from audited
                group by partner_id, month_start
            )
            select
                case when monthly.audit_month_id is null or recomputed.partner_id is null
                    or monthly.audited_line_count <> recomputed.lines
                    or monthly.finding_count <> recomputed.findings
                    or monthly.under_discounted_eur <> recomputed.under_eur
                    or monthly.over_discounted_eur <> recomputed.over_eur
                    then 1 else 0 end as summary_mismatch
            from marts.rpt_reseller_discount_audit_monthly as monthly
            full outer join recomputed
                on monthly.partner_id = recomputed.partner_id
                and monthly.month_start = recomputed.month_start
            """,
            [
                *zero("summary_mismatch",
                      "each reseller month sums its audited lines (counts, and the overcharges "
                      "and leaks rounded once to cents), and no audited month is missing"),
            ],
            mart="rpt_reseller_discount_audit_monthly",
        ),
        Batch(
            "rpt_lead_registry",
            "One Network lead registry",
            """
            with expected as (
                -- Every lead of a program that has a deal window in any of
                -- its terms, whatever the terms of its registration day.
                select leads.lead_id
                from staging.stg_partner_crm__leads as leads
                where leads.program_code in (
                    select program_code from reference.commission_terms
                    where deal_window_months is not null)
            )
            select
                registry.contacts_introduced,
                case when registry.deal_status = 'won'
                    and registry.deal_close_date is null
                    then 1 else 0 end as won_without_close_date,
                case when registry.deal_status <> 'won'
                    and (registry.deal_close_date is not null
                         or registry.first_year_saas_revenue is not null)
                    then 1 else 0 end as deal_without_win,
                case when registry.lead_id is null or expected.lead_id is null
                    then 1 else 0 end as registry_coverage_mismatch
            from marts.rpt_lead_registry as registry
            full outer join expected
                on registry.lead_id = expected.lead_id
            """,
            [
                within("contacts_introduced", 0, None, "contacts are counted, never listed"),
                *zero("won_without_close_date",
                      "a won deal has a close date (its first-year revenue: dbt)"),
                *zero("deal_without_win",
                      "only a won deal has a close date or first-year revenue"),
                *zero("registry_coverage_mismatch",
                      "every lead of a program with a deal window is listed, and nothing else"),
            ],
            mart="rpt_lead_registry",
        ),
        Batch(
            "rpt_partner_benefits_monthly",
            "Partner benefits per agreement and month",
            f"""
            with sequenced as (
                select
                    *,
                    lag(month_start) over (
                        partition by agreement_id order by month_start
                    ) as previous_month_start,
                    coalesce(bool_or(meets_benefit_threshold) over (
                        partition by agreement_id, extract(year from month_start)
                        order by month_start
                        rows between unbounded preceding and current row), false)
                        as met_this_year
                from marts.rpt_partner_benefits_monthly
            )
            select
                case
                    when benefit_threshold_eur is null
                        then case when meets_benefit_threshold is null then 0 else 1 end
                    when meets_benefit_threshold is null then 1
                    when meets_benefit_threshold
                        = (referred_net_revenue_eur >= benefit_threshold_eur) then 0
                    else 1
                end as threshold_mismatch,
                case
                    when benefit_threshold_eur is null then 0
                    when eligible_this_year = met_this_year then 0
                    else 1
                end as eligibility_mismatch,
                coalesce({months_between('previous_month_start', 'month_start')} - 1, 0)
                    as month_gap
            from sequenced
            """,
            [
                *zero("threshold_mismatch",
                     "the threshold is met exactly when referred revenue reaches it"),
                *zero("eligibility_mismatch",
                      "a partner is eligible for the year from the first month that met "
                      "the threshold, and not before"),
                *zero("month_gap", "an agreement's months follow each other without a gap"),
            ],
            mart="rpt_partner_benefits_monthly",
        ),
        Batch(
            "rpt_data_quality_rejections",
            "Quarantined raw rows",
            """
            select
                case
                    when source_table <> 'lead_contacts' then 0
                    when coalesce(cast(raw_record as json) ->> 'full_name', '<redacted>')
                        <> '<redacted>' then 1
                    when coalesce(cast(raw_record as json) ->> 'email', '<redacted>')
                        <> '<redacted>' then 1
                    else 0
                end as unredacted_personal_data
            from marts.rpt_data_quality_rejections
            """,
            [
                *zero("unredacted_personal_data",
                      "a quarantined row's original values hold no contact name or e-mail "
                      "address (they are redacted)"),
            ],
            mart="rpt_data_quality_rejections",
        ),
        Batch(
            "fct_reseller_payment_terms",
            "Payment terms of every reseller invoice",
            """
            with expected as (
                select invoices.invoice_id
                from staging.stg_billing__invoices as invoices
                inner join staging.stg_billing__customers as customers
                    on invoices.customer_id = customers.customer_id
                where customers.reseller_partner_id is not null
                    and not invoices.is_credit_note
            ),
            actual as (
                select distinct invoice_id from marts.fct_reseller_payment_terms
            )
            select
                case when expected.invoice_id is null or actual.invoice_id is null
                    then 1 else 0 end as missing_or_extra
            from expected
            full outer join actual on expected.invoice_id = actual.invoice_id
            """,
            [
                *zero("missing_or_extra",
                      "every invoice (not a credit note) of a reseller's account has its "
                      "payment-terms row, and no other invoice has one"),
            ],
            mart="fct_reseller_payment_terms",
        ),
        Batch(
            "rpt_partner_statements",
            "One statement per payout row, with the payout's amounts",
            """
            select
                case when statements.statement_id is null then 1 else 0 end
                    as missing_statement,
                case when statements.statement_id is null then 0 else
                    coalesce(statements.payout_amount - payouts.payout_amount, 1)
                    + coalesce(statements.carried_out_amount - payouts.carried_out_amount, 1)
                    + coalesce(statements.carried_in_amount - payouts.carried_in_amount, 1)
                    end as amount_difference
            from marts.fct_partner_payouts as payouts
            left join marts.rpt_partner_statements as statements
                on payouts.payout_id = statements.statement_id
            """,
            [
                *zero("missing_statement", "every payout row has its statement"),
                *zero("amount_difference",
                      "a statement shows its payout row's payout and balances"),
            ],
            mart="rpt_partner_statements",
        ),
        Batch(
            "fct_partner_statement_lines",
            "Statement lines itemise every payable commission line",
            """
            with itemised as (
                select statement_id, sum(line_count) as lines
                from marts.fct_partner_statement_lines
                group by statement_id
            ),
            payable as (
                select payouts.payout_id as statement_id, count(*) as lines
                from marts.fct_commission_lines as lines
                inner join marts.fct_partner_payouts as payouts
                    on lines.agreement_id = payouts.agreement_id
                    and lines.settlement_period_start = payouts.period_start
                where lines.status = 'payable'
                group by payouts.payout_id
            )
            select
                coalesce(itemised.statement_id, payable.statement_id) as statement_id,
                coalesce(itemised.lines, 0) - coalesce(payable.lines, 0) as line_difference
            from itemised
            full outer join payable on itemised.statement_id = payable.statement_id
            """,
            [
                *zero("line_difference",
                      "a statement itemises exactly the payable commission lines of its "
                      "agreement and period"),
            ],
            mart="fct_partner_statement_lines",
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
                E.ExpectColumnValuesToNotMatchRegex(
                    column="column_name", regex=PERSONAL_NAME_PATTERN,
                    description="no mart column is named like personal data (e-mail, name, "
                                "phone)"),
            ],
        ),
        Batch(
            "marts_personal_values",
            "Values of every text column of every mart",
            personal_values_sql,
            [
                within("contact_email_values", 0, 0,
                       "no lead contact's e-mail address appears as a value in any mart"),
            ],
        ),
        Batch(
            "coverage_of_reseller_marts",
            "Every reseller invoice line audited; every reseller in the tier report",
            """
            with reseller_lines as (
                select lines.invoice_line_id, customers.reseller_partner_id as partner_id
                from staging.stg_billing__invoice_lines as lines
                inner join staging.stg_billing__invoices as invoices
                    on lines.invoice_id = invoices.invoice_id
                inner join staging.stg_billing__customers as customers
                    on invoices.customer_id = customers.customer_id
                where customers.reseller_partner_id is not null
            ),
            audited as (
                select distinct invoice_line_id from marts.fct_reseller_discount_audit
            ),
            reseller_orders as (
                -- A reseller's months start at its first order or invoice
                -- (on or before the as-of date), as the tier report's do.
                select customers.reseller_partner_id as partner_id
                from staging.stg_billing__contracts as contracts
                inner join staging.stg_billing__customers as customers
                    on contracts.customer_id = customers.customer_id
                cross join intermediate.int_as_of_dates_derived as as_of
                where customers.reseller_partner_id is not null
                    and coalesce(contracts.ordered_on, contracts.signed_on,
                                 contracts.starts_on) <= as_of.as_of_on
            ),
            resellers as (
                select distinct agreements.partner_id
                from staging.stg_partner_crm__partner_agreements as agreements
                inner join reference.programs as programs
                    on agreements.program_code = programs.program_code
                where programs.rule_type = 'reseller_discount'
                    and (agreements.partner_id in (select partner_id from reseller_lines)
                         or agreements.partner_id in (select partner_id from reseller_orders))
            ),
            reported as (
                select distinct partner_id from marts.rpt_reseller_tiers_monthly
            )
            select 'audit' as check_name,
                coalesce(reseller_lines.invoice_line_id, audited.invoice_line_id) as item,
                case when reseller_lines.invoice_line_id is null
                    or audited.invoice_line_id is null then 1 else 0 end as coverage_mismatch
            from reseller_lines
            full outer join audited
                on reseller_lines.invoice_line_id = audited.invoice_line_id
            union all
            select 'tiers', coalesce(resellers.partner_id, reported.partner_id),
                case when resellers.partner_id is null or reported.partner_id is null
                    then 1 else 0 end
            from resellers
            full outer join reported
                on resellers.partner_id = reported.partner_id
            """,
            [
                *zero("coverage_mismatch",
                      "every invoice line of a reseller's account is audited (once: dbt's "
                      "key test), and nothing else; every reseller with an order or an "
                      "invoice has tier rows"),
            ],
        ),
    ]
