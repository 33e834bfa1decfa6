{{ config(materialized="table") }}

{#-
    The MRR rule (doc block `rule_reseller_mrr`): every recurring line
    (invoices and credit notes, seeding units excepted) billed to a
    reseller's account, spread over the calendar months
    its service period touches. Each month is weighted by days covered ÷
    days in that month, the weights scaled to sum to 1, so a 12-month line
    adds 1/12 of its net amount to each month and a line for one whole month
    adds all of it. Weights are counted in whole units of a common multiple
    of all month lengths, so every share is one exact division; each share
    is kept at the stored precision (12 decimals) and the last month takes
    the remainder, so the stored months of a line always add up to its net
    amount exactly. Each month's share is also
    converted to EUR at that month's last-day rate (latest on or before).
-#}
with lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

spine as (
    {{ integer_spine(3) }}
),

reseller_lines as (
    select
        lines.invoice_line_id,
        customers.reseller_partner_id as partner_id,
        lines.customer_id,
        lines.invoice_currency,
        lines.net_amount,
        lines.service_period_starts_on,
        lines.service_period_ends_on,
        {{ month_start('lines.service_period_starts_on') }} as first_month,
        {{ dbt.datediff(
            month_start('lines.service_period_starts_on'),
            month_start('lines.service_period_ends_on'),
            'month') }} as later_months
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    where
        customers.reseller_partner_id is not null
        and lines.charge_type = 'recurring'
        -- Seeding units never count towards MRR (rule_reseller_seeding).
        and coalesce(lines.contract_order_type, '') <> 'seeding'
),

line_months as (
    select
        reseller_lines.*,
        {{ add_months('reseller_lines.first_month', 'spine.n') }}
            as month_start
    from reseller_lines
    inner join spine
        on reseller_lines.later_months >= spine.n
),

bounded as (
    select
        line_months.*,
        case
            when line_months.service_period_starts_on > line_months.month_start
                then line_months.service_period_starts_on
            else line_months.month_start
        end as overlap_starts_on,
        case
            when
                line_months.service_period_ends_on
                < {{ month_end('line_months.month_start') }}
                then line_months.service_period_ends_on
            else {{ month_end('line_months.month_start') }}
        end as overlap_ends_on,
        {{ add_months('line_months.month_start', 1) }} as next_month_start
    from line_months
),

covered as (
    select
        bounded.*,
        {{ dbt.datediff(
            'bounded.overlap_starts_on', 'bounded.overlap_ends_on', 'day') }}
        + 1 as days_covered,
        {{ dbt.datediff(
            'bounded.month_start', 'bounded.next_month_start', 'day') }}
            as days_in_month
    from bounded
),

weighted as (
    select
        covered.*,
        {#-
            days covered ÷ days in month as a whole number of
            1/{{ days_in_month_multiple() }}ths (a multiple of 28, 29, 30
            and 31), so that the shares below divide by an integer and
            stay exact.
        #}
        cast(
            {{ divide_exact(
                'covered.days_covered * ' ~ days_in_month_multiple(),
                'covered.days_in_month') }}
            as {{ dbt.type_bigint() }}
        ) as month_weight_units
    from covered
),

scaled as (
    select
        weighted.*,
        sum(weighted.month_weight_units) over (
            partition by weighted.invoice_line_id
        ) as line_weight_units,
        row_number() over (
            partition by weighted.invoice_line_id
            order by weighted.month_start desc
        ) as months_from_end
    from weighted
),

shared as (
    select
        scaled.*,
        cast(
            {{ divide_exact(
                'scaled.net_amount * scaled.month_weight_units',
                'scaled.line_weight_units') }}
            as {{ type_money_wide() }}
        ) as month_share_amount
    from scaled
),

totalled as (
    select
        shared.*,
        sum(shared.month_share_amount) over (
            partition by shared.invoice_line_id
        ) as line_share_total
    from shared
),

remaindered as (
    select
        totalled.*,
        case
            when totalled.months_from_end = 1
                then
                    totalled.net_amount
                    - totalled.line_share_total
                    + totalled.month_share_amount
            else totalled.month_share_amount
        end as month_amount
    from totalled
),

final as (
    select
        remaindered.invoice_line_id,
        remaindered.partner_id,
        remaindered.customer_id,
        remaindered.month_start,
        remaindered.invoice_currency,
        remaindered.net_amount,
        remaindered.days_covered,
        remaindered.days_in_month,
        remaindered.month_weight_units,
        remaindered.line_weight_units,
        invoice_rates.units_per_eur as month_end_units_per_eur,
        {{ dbt.concat([
            'remaindered.invoice_line_id', "'|'",
            'cast(remaindered.month_start as ' ~ dbt.type_string() ~ ')'])
        }} as line_month_id,
        cast(
            {{ divide_exact(
                'remaindered.month_weight_units',
                'remaindered.line_weight_units') }}
            as {{ type_rate_wide() }}
        ) as month_weight,
        cast(
            remaindered.month_amount as {{ type_money_wide() }}
        ) as month_amount,
        cast(
            {{ convert_currency(
                'remaindered.month_amount',
                'invoice_rates.units_per_eur',
                'eur_rates.units_per_eur') }}
            as {{ type_money_wide() }}
        ) as month_amount_eur
    from remaindered
    left join fx_rates as invoice_rates
        on
            remaindered.invoice_currency = invoice_rates.currency
            and {{ month_end('remaindered.month_start') }}
            = invoice_rates.rate_on
    left join fx_rates as eur_rates
        on
            eur_rates.currency = '{{ var("fx_base_currency") }}'
            and {{ month_end('remaindered.month_start') }} = eur_rates.rate_on
)

select * from final
