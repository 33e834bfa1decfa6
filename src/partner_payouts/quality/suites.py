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
    sql: object  # SQL text, or a function of the DuckDB connection returning it
    expectations: list = field(default_factory=list)
    mart: str | None = None  # the public mart the batch validates

    def query(self, con) -> str:
        """The batch's SQL, keeping only the columns its expectations read
        (all of them when one is a table-level expectation)."""
        sql = self.sql(con) if callable(self.sql) else self.sql
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


def key(column):
    return [
        E.ExpectColumnValuesToNotBeNull(
            column=column, description=f"{column} is never null (the grain's key)"),
        E.ExpectColumnValuesToBeUnique(
            column=column, description=f"{column} is unique (one row per grain)"),
    ]


def in_force(alias: str, day: str) -> str:
    """An effective-dated seed row (`valid_from` inclusive, `valid_to`
    exclusive, null = open) is in force on `day` (as the dbt macro)."""
    return (f"{alias}.valid_from <= {day} "
            f"and ({alias}.valid_to is null or {day} < {alias}.valid_to)")


def key_sql(*columns) -> str:
    """SQL columns that count, per row, a missing key and the other rows
    sharing it: on the large marts the key checks run in SQL, so the batch
    handed to pandas holds numbers, not millions of strings."""
    name = "_".join(columns)
    missing = " or ".join(f"{c} is null" for c in columns)
    return (f"case when {missing} then 1 else 0 end as {name}_missing, "
            f"count(*) over (partition by {', '.join(columns)}) - 1 as {name}_repeats")


def key_counts(*columns, what=None):
    name = "_".join(columns)
    label = what or f"{' and '.join(columns)}"
    return [
        *zero(f"{name}_missing", f"{label} is never null (the grain's key)"),
        *zero(f"{name}_repeats", f"{label} is unique (one row per grain)"),
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


# Column names that hold personal data whatever the sources call them.
PERSONAL_NAME_PATTERN = r"(^|_)(e_?mail|email_address|full_name|first_name|last_name|" \
                        r"contact_name|phone|phone_number)(_|$)"
def personal_values_sql(con) -> str:
    """One row per text column of every mart: how many of its values are the
    e-mail address of a lead contact (from staging). Built from the
    warehouse's catalog, so a new mart or column is covered without a code
    change. Addresses only: a contact's name may legitimately equal a sales
    rep's or a partner's, and an '@' may be part of a company name, so
    neither names nor the shape of an address would be a reliable alarm."""
    columns = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR' "
        "order by table_name, column_name").fetchall()
    parts = []
    for table, column in columns:
        parts.append(
            f"select '{table}' as table_name, '{column}' as column_name, "
            f"count(*) filter (where lower(\"{column}\") in (select address from secrets)) "
            f"as contact_email_values "
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


def batches(project_dir: Path) -> list[Batch]:
    columns = mart_columns(project_dir)
    return contract_batches(columns) + rule_batches(columns, project_dir)


def rule_batches(columns: dict[str, list[str]], project_dir: Path) -> list[Batch]:
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
                    count(*) as lines_count,
                    count(distinct payout_currency) as lines_currency_count,
                    min(payout_currency) as lines_payout_currency,
                    max(payable_on) as lines_latest_payable_on
                from marts.fct_commission_lines
                where status = 'payable'
                group by all
            ),
            payouts as (
                select
                    *,
                    lag(carried_out_amount) over (
                        partition by agreement_id order by period_start
                    ) as previous_carried_out_amount,
                    lag(payout_currency) over (
                        partition by agreement_id order by period_start
                    ) as previous_payout_currency,
                    lead(period_start) over (
                        partition by agreement_id order by period_start
                    ) as next_period_start
                from marts.fct_partner_payouts
            ),
            as_of as (
                select as_of_on from intermediate.int_as_of_dates_derived
            )
            select
                payouts.* exclude (previous_carried_out_amount, next_period_start,
                                   previous_payout_currency),
                case when payouts.carried_in_amount < 0
                         and payouts.previous_payout_currency <> payouts.payout_currency
                     then 1 else 0 end as carried_across_currencies,
                payouts.payout_amount
                    - greatest(0, payouts.period_net_amount + payouts.carried_in_amount)
                    as paid_difference,
                payouts.carried_out_amount
                    - least(0, payouts.period_net_amount + payouts.carried_in_amount)
                    as carried_out_difference,
                case when payouts.carried_out_amount >= 0 then 0
                     when payouts.next_period_start = payouts.period_end + 1 then 0
                     when payouts.next_period_start is null
                         and payouts.period_end >= as_of.as_of_on then 0
                     else 1 end as carried_balance_lost,
                case when line_sums.lines_count is null then 0
                     when line_sums.lines_currency_count = 1
                         and line_sums.lines_payout_currency = payouts.payout_currency then 0
                     else 1 end as currency_mismatch,
                case when line_sums.lines_count is null then 0
                     else coalesce(date_diff('day', line_sums.lines_latest_payable_on,
                                             payouts.payout_due_on), 999999) end
                    as due_date_difference_days,
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
            cross join as_of
            full outer join line_sums
                on payouts.agreement_id = line_sums.agreement_id
                and payouts.period_start = line_sums.period_start
            """,
            [
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
                *zero("paid_difference",
                      "a period pays its net plus the carried balance when that is positive, "
                      "else 0"),
                *zero("carried_out_difference",
                      "a period carries out its net plus the carried balance when that is "
                      "negative, else 0"),
                *zero("carried_balance_lost",
                      "a negative balance is carried into the very next period, which has "
                      "its payout row (up to the as-of date)"),
                *zero("currency_mismatch",
                      "a payout is in the payout currency of all its lines"),
                *zero("carried_across_currencies",
                      "a carried balance stays in one payout currency"),
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
            converted as (
                select
                    rated.*,
                    case when rated.invoice_currency = 'EUR' then 1
                         else invoice_fx.units_per_eur end as expected_invoice_rate,
                    case when rated.payout_currency = 'EUR' then 1
                         else payout_fx.units_per_eur end as expected_payout_rate
                from rated
                asof left join fx as invoice_fx
                    on rated.invoice_currency = invoice_fx.currency
                    and rated.settlement_period_end >= invoice_fx.rate_on
                asof left join fx as payout_fx
                    on rated.payout_currency = payout_fx.currency
                    and rated.settlement_period_end >= payout_fx.rate_on
            )
            select
                converted.* exclude (
                    earning_on, requested_rate, expected_invoice_rate,
                    expected_payout_rate),
                commission_amount - commissionable_amount * commission_rate
                    as commission_difference,
                case when is_final then 0 else commission_rate end - case
                    when is_final then 0
                    when program_max_commission_rate is not null
                        and requested_rate > program_max_commission_rate
                        then program_max_commission_rate
                    else requested_rate end as rate_difference,
                case when status = 'excluded' then commission_amount else 0 end
                    as excluded_commission,
                case when (status = 'excluded') = (exclusion_reason is not null)
                    then 0 else 1 end as status_reason_mismatch,
                case when status in ('payable', 'held', 'excluded') then 0 else 1 end
                    as status_unknown,
                case when terms_program_code is null and status <> 'excluded' then 1
                     else 0 end as terms_missing,
                {key_sql('commission_line_id')},
                {key_sql('invoice_line_id', 'agreement_id')},
                case when is_final then 0
                    when status = 'payable' then
                    cast(commission_amount_payout_currency as double)
                    - cast(commission_amount as double)
                      * cast(expected_payout_rate as double)
                      / cast(expected_invoice_rate as double)
                    when commission_amount_payout_currency is null then 0
                    end as conversion_difference
            from converted
            """,
            [
                *key_counts("commission_line_id"),
                *key_counts("invoice_line_id", "agreement_id",
                            what="one row per invoice line and agreement: the pair"),
                *zero("commission_difference",
                     "commission = base × rate to the cent", tolerance=0.005),
                within("commission_rate", 0, 1, "commission rates are fractions between 0 and 1"),
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
                *zero("status_unknown", "status is payable, held or excluded"),
                *zero("excluded_commission", "an excluded line earns nothing"),
                *zero("status_reason_mismatch",
                      "a line is excluded exactly when it has an exclusion reason"),
                *zero("conversion_difference",
                      "a payable line's payout-currency amount is its commission converted "
                      "at the settlement period's last-day rate", tolerance=0.000001),
            ],
            mart="fct_commission_lines",
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
                -- The lines themselves (not their correction rows), of the
                -- lines the export still holds (a final row stays published
                -- when its line has gone since).
                select commission_lines.agreement_id, commission_lines.customer_id,
                    count(*) as actual_lines,
                    count(distinct commission_lines.invoice_line_id) as distinct_lines
                from marts.fct_commission_lines as commission_lines
                inner join staging.stg_billing__invoice_lines as lines
                    on commission_lines.invoice_line_id = lines.invoice_line_id
                where not commission_lines.is_correction
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
            f"""
            select
                tiers.*,
                bands.tier as band_tier,
                tiers.effective_tier - greatest(tiers.earned_tier,
                                                coalesce(tiers.granted_tier, 0))
                    as effective_tier_difference,
                case when effective_bands.tier is not null
                    and tiers.monthly_fee_discount_pct = effective_bands.monthly_fee_discount_pct
                    and tiers.setup_fee_discount_pct = effective_bands.setup_fee_discount_pct
                    and tiers.sla_level = effective_bands.sla_level then 0 else 1 end
                    as tier_terms_mismatch,
                coalesce(date_diff('month', lag(tiers.month_start) over (
                    partition by tiers.partner_id order by tiers.month_start),
                    tiers.month_start) - 1, 0) as month_gap,
                date_diff('month', max(tiers.month_start) over (
                    partition by tiers.partner_id), date_trunc('month', as_of.as_of_on))
                    as months_missing_at_end,
                tiers.basis_mrr_eur - round(coalesce(basis.mrr_eur, 0), 2)
                    as basis_mrr_difference,
                date_diff('month', tiers.basis_month_start, tiers.month_start)
                    - terms.tier_basis_lag_months as basis_month_difference
            from marts.rpt_reseller_tiers_monthly as tiers
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
            "fct_reseller_discount_audit",
            "Discount audit per reseller invoice line",
            f"""
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
                end as finding_mismatch,
                case when audit.finding in ('ok', 'under_discounted', 'over_discounted')
                    then 0 else 1 end as finding_unknown,
                {key_sql('invoice_line_id')}
            from marts.fct_reseller_discount_audit as audit
            """,
            [
                *key_counts("invoice_line_id"),
                within("entitled_discount_pct", 0, 1, "entitled discounts are fractions"),
                *zero("variance_difference", "variance = invoiced net - entitled net"),
                *zero("finding_mismatch",
                      "the finding follows the variance: under_discounted above the "
                      "tolerance, over_discounted below minus the tolerance, ok between"),
                *zero("finding_unknown",
                      "findings are ok, under_discounted or over_discounted"),
            ],
            mart="fct_reseller_discount_audit",
        ),
        Batch(
            "rpt_reseller_discount_audit_monthly",
            "Discount audit per reseller and month",
            """
            with recomputed as (
                select
                    partner_id,
                    date_trunc('month', issued_on) as month_start,
                    count(*) as lines,
                    count(*) filter (where finding <> 'ok') as findings,
                    round(coalesce(sum(variance_amount_eur)
                        filter (where finding = 'under_discounted'), 0), 2) as under_eur,
                    round(coalesce(-sum(variance_amount_eur)
                        filter (where finding = 'over_discounted'), 0), 2) as over_eur
                from marts.fct_reseller_discount_audit
                group by all
            )
            select
                monthly.*,
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
                within("under_discounted_eur", 0, None, "overcharges are counted positive"),
                within("over_discounted_eur", 0, None, "revenue leaks are counted positive"),
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
                registry.*,
                case when registry.deal_status = 'won'
                    and (registry.deal_close_date is null
                         or registry.first_year_saas_revenue is null)
                    then 1 else 0 end as won_without_deal,
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
                *key("lead_id"),
                in_set("deal_status", ["open", "won", "lost", "expired"],
                       "deal status is open, won, lost or expired"),
                within("contacts_introduced", 0, None, "contacts are counted, never listed"),
                *zero("won_without_deal", "a won deal has a close date and first-year revenue"),
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
                end as threshold_mismatch,
                case
                    when benefits.benefit_threshold_eur is null then 0
                    when benefits.eligible_this_year = coalesce(bool_or(
                        benefits.meets_benefit_threshold) over (
                            partition by benefits.agreement_id,
                                year(benefits.month_start)
                            order by benefits.month_start
                            rows between unbounded preceding and current row), false)
                        then 0
                    else 1
                end as eligibility_mismatch,
                coalesce(date_diff('month', lag(benefits.month_start) over (
                    partition by benefits.agreement_id order by benefits.month_start),
                    benefits.month_start) - 1, 0) as month_gap
            from marts.rpt_partner_benefits_monthly as benefits
            """,
            [
                *key("benefit_month_id"),
                E.ExpectCompoundColumnsToBeUnique(
                    column_list=["agreement_id", "month_start"],
                    description="one row per agreement and month"),
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
                rejections.*,
                case when rejections.source_table = 'lead_contacts' and (
                        coalesce(json_extract_string(rejections.raw_record, '$.full_name'),
                                 '<redacted>') <> '<redacted>'
                        or coalesce(json_extract_string(rejections.raw_record, '$.email'),
                                    '<redacted>') <> '<redacted>')
                    then 1 else 0 end as unredacted_personal_data
            from marts.rpt_data_quality_rejections as rejections
            """,
            [
                *key("rejection_id"),
                E.ExpectColumnValuesToNotBeNull(
                    column="raw_record", description="every quarantined row keeps its values"),
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
                select invoice_id, count(*) as copies
                from marts.fct_reseller_payment_terms
                group by invoice_id
            )
            select
                coalesce(expected.invoice_id, actual.invoice_id) as invoice_id,
                case when expected.invoice_id is null or actual.invoice_id is null
                    then 1 else actual.copies - 1 end as missing_or_repeated
            from expected
            full outer join actual on expected.invoice_id = actual.invoice_id
            """,
            [
                *zero("missing_or_repeated",
                      "every invoice (not a credit note) of a reseller's account has its "
                      "payment-terms row, once"),
            ],
            mart="fct_reseller_payment_terms",
        ),
        Batch(
            "rpt_partner_statements",
            "One statement per payout row, with the payout's amounts",
            """
            select
                coalesce(payouts.payout_id, statements.statement_id) as payout_id,
                case when payouts.payout_id is null or statements.statement_id is null
                    then 1 else 0 end as missing_statement_or_payout,
                coalesce(statements.payout_amount - payouts.payout_amount, 1)
                    + coalesce(statements.carried_out_amount - payouts.carried_out_amount, 1)
                    + coalesce(statements.carried_in_amount - payouts.carried_in_amount, 1)
                    as amount_difference
            from marts.fct_partner_payouts as payouts
            full outer join marts.rpt_partner_statements as statements
                on payouts.payout_id = statements.statement_id
            """,
            [
                *zero("missing_statement_or_payout",
                      "every payout row has its statement, and every statement its payout row"),
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
            "rpt_reseller_tier_outlook",
            "Reseller tier outlook (Python model)",
            "select * from marts.rpt_reseller_tier_outlook",
            [
                *key("partner_id"),
                within("drop_risk_pct", 0, 1, "drop risk is a probability"),
            ],
            mart="rpt_reseller_tier_outlook",
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
            "Every reseller invoice line audited once; every reseller in the tier report",
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
                select invoice_line_id, count(*) as times
                from marts.fct_reseller_discount_audit group by all
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
                case when reseller_lines.invoice_line_id is null or audited.times is null
                    or audited.times <> 1 then 1 else 0 end as coverage_mismatch
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
                      "every invoice line of a reseller's account is audited exactly once, "
                      "and every reseller with an order or an invoice has tier rows"),
            ],
        ),
    ]
