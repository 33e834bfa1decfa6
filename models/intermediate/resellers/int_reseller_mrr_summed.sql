{#-
    MRR per reseller and month, in EUR: the spread recurring net amounts of
    all the reseller's accounts in all legal entities (int_reseller_lines_
    spread), on a month spine from the reseller's first order, first issued
    invoice or first service month to the as-of month, so that silent months
    show 0 (the MRR playbook: spine × amounts, coalesce to 0). Resellers are
    the partners with an agreement in a `reseller_discount` program.
-#}
with spread as (
    select * from {{ ref('int_reseller_lines_spread') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

contracts as (
    select * from {{ ref('stg_billing__contracts') }}
),

lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

spine as (
    {{ integer_spine(3) }}
),

resellers as (
    select
        agreements.partner_id,
        agreements.agreement_id,
        agreements.program_code
    from agreements
    where agreements.rule_type = 'reseller_discount'
),

first_orders as (
    select
        customers.reseller_partner_id as partner_id,
        min(
            coalesce(
                contracts.ordered_on, contracts.signed_on, contracts.starts_on
            )
        ) as first_ordered_on
    from contracts
    inner join customers
        on contracts.customer_id = customers.customer_id
    where customers.reseller_partner_id is not null
    group by customers.reseller_partner_id
),

first_issues as (
    select
        customers.reseller_partner_id as partner_id,
        min(lines.issued_on) as first_issued_on
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    where customers.reseller_partner_id is not null
    group by customers.reseller_partner_id
),

monthly as (
    select
        spread.partner_id,
        spread.month_start,
        sum(spread.month_amount_eur) as mrr_eur,
        count(distinct spread.invoice_line_id) as recurring_line_count
    from spread
    group by spread.partner_id, spread.month_start
),

starts as (
    select
        first_orders.partner_id,
        {{ month_start('first_orders.first_ordered_on') }} as month_start
    from first_orders
    union all
    select
        first_issues.partner_id,
        {{ month_start('first_issues.first_issued_on') }} as month_start
    from first_issues
    union all
    select
        monthly.partner_id,
        min(monthly.month_start) as month_start
    from monthly
    group by monthly.partner_id
),

first_months as (
    select
        resellers.partner_id,
        resellers.agreement_id,
        resellers.program_code,
        min(starts.month_start) as first_month
    from resellers
    inner join starts
        on resellers.partner_id = starts.partner_id
    group by
        resellers.partner_id,
        resellers.agreement_id,
        resellers.program_code
),

reseller_months as (
    select
        first_months.partner_id,
        first_months.agreement_id,
        first_months.program_code,
        {{ add_months('first_months.first_month', 'spine.n') }} as month_start
    from first_months
    cross join as_of
    inner join spine
        on
            {{ add_months('first_months.first_month', 'spine.n') }}
            <= as_of.as_of_on
),

final as (
    select
        reseller_months.partner_id,
        reseller_months.agreement_id,
        reseller_months.program_code,
        reseller_months.month_start,
        {{ dbt.concat([
            'reseller_months.partner_id', "'|'",
            'cast(reseller_months.month_start as ' ~ dbt.type_string() ~ ')'])
        }} as reseller_month_id,
        cast(
            coalesce(monthly.mrr_eur, 0) as {{ type_money_wide() }}
        ) as mrr_eur,
        coalesce(monthly.recurring_line_count, 0) as recurring_line_count
    from reseller_months
    left join monthly
        on
            reseller_months.partner_id = monthly.partner_id
            and reseller_months.month_start = monthly.month_start
)

select * from final
