{{ config(materialized="table") }}

{#-
    What a partner statement itemises (doc block `rule_partner_statements`):
    per statement (payout row), referred customer and natural period, the
    base (net of VAT) and the commission in the payout currency, the rate
    and the exchange rate used when the line's currency differs; late
    adjustments and corrections on their own rows with the natural period
    they belong to; and, on the row of the statement's own period, how many
    of the customer's lines issued in it earned nothing (with the main
    reason) or are held. Statements of final periods keep their lines as
    published (int_partner_statement_lines_published).
-#}
with lines as (
    select * from {{ ref('int_commission_lines_corrected') }}
),

payouts as (
    select * from {{ ref('int_partner_payouts_balanced') }}
),

periods as (
    select * from {{ ref('int_settlement_periods_listed') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

exclusion_reasons as (
    select * from {{ ref('exclusion_reasons') }}
),

published as (
    select * from {{ ref('int_partner_statement_lines_published') }}
),

final_statements as (
    select * from {{ ref('int_partner_statements_published') }}
),

paid as (
    select
        lines.agreement_id,
        lines.settlement_period_start as period_start,
        lines.customer_id,
        lines.natural_period_start,
        min(lines.invoice_currency) as invoice_currency,
        max(lines.invoice_currency) as last_invoice_currency,
        min(lines.payout_currency) as payout_currency,
        min(lines.commission_rate) as commission_rate,
        max(lines.commission_rate) as last_commission_rate,
        min(lines.invoice_units_per_eur) as invoice_units_per_eur,
        max(lines.invoice_units_per_eur) as last_invoice_units_per_eur,
        min(lines.payout_units_per_eur) as payout_units_per_eur,
        sum(lines.commissionable_amount_payout_currency) as base_amount,
        sum(lines.commission_amount_payout_currency) as commission_amount,
        count(*) as line_count
    from lines
    where lines.status = 'payable'
    group by
        lines.agreement_id,
        lines.settlement_period_start,
        lines.customer_id,
        lines.natural_period_start
),

{# Lines that earn nothing, in the settlement period of their issue day. #}
unpaid_lines as (
    select
        lines.agreement_id,
        periods.period_start,
        lines.customer_id,
        lines.status,
        lines.exclusion_reason
    from lines
    inner join periods
        on
            lines.program_code = periods.program_code
            and lines.issued_on between periods.period_start
            and periods.period_end
    where lines.status in ('excluded', 'held')
),

unpaid as (
    select
        unpaid_lines.agreement_id,
        unpaid_lines.period_start,
        unpaid_lines.customer_id,
        sum(case when unpaid_lines.status = 'excluded' then 1 else 0 end)
            as excluded_line_count,
        sum(case when unpaid_lines.status = 'held' then 1 else 0 end)
            as held_line_count
    from unpaid_lines
    group by
        unpaid_lines.agreement_id,
        unpaid_lines.period_start,
        unpaid_lines.customer_id
),

{# The reason most of a customer's excluded lines share
   (ties: the seed's order). #}
reasons_ranked as (
    select
        unpaid_lines.agreement_id,
        unpaid_lines.period_start,
        unpaid_lines.customer_id,
        unpaid_lines.exclusion_reason,
        row_number() over (
            partition by
                unpaid_lines.agreement_id,
                unpaid_lines.period_start,
                unpaid_lines.customer_id
            order by count(*) desc, min(exclusion_reasons.precedence) asc
        ) as reason_rank
    from unpaid_lines
    inner join exclusion_reasons
        on unpaid_lines.exclusion_reason = exclusion_reasons.exclusion_reason
    group by
        unpaid_lines.agreement_id,
        unpaid_lines.period_start,
        unpaid_lines.customer_id,
        unpaid_lines.exclusion_reason
),

itemised as (
    select
        paid.invoice_currency,
        paid.last_invoice_currency,
        paid.payout_currency,
        paid.commission_rate,
        paid.last_commission_rate,
        paid.invoice_units_per_eur,
        paid.last_invoice_units_per_eur,
        paid.payout_units_per_eur,
        coalesce(paid.agreement_id, unpaid.agreement_id) as agreement_id,
        coalesce(paid.period_start, unpaid.period_start) as period_start,
        coalesce(paid.customer_id, unpaid.customer_id) as customer_id,
        coalesce(paid.natural_period_start, unpaid.period_start)
            as natural_period_start,
        coalesce(paid.base_amount, 0) as base_amount,
        coalesce(paid.commission_amount, 0) as commission_amount,
        coalesce(paid.line_count, 0) as line_count,
        coalesce(unpaid.excluded_line_count, 0) as excluded_line_count,
        coalesce(unpaid.held_line_count, 0) as held_line_count
    from paid
    full outer join unpaid
        on
            paid.agreement_id = unpaid.agreement_id
            and paid.period_start = unpaid.period_start
            and paid.customer_id = unpaid.customer_id
            and paid.natural_period_start = unpaid.period_start
),

computed as (
    select
        {{ dbt.hash(dbt.concat([
            'payouts.payout_id', "'|'", 'itemised.customer_id', "'|'",
            'cast(itemised.natural_period_start as '
            ~ dbt.type_string() ~ ')'])) }} as statement_line_id,
        payouts.payout_id as statement_id,
        itemised.customer_id,
        customers.customer_name,
        itemised.natural_period_start,
        itemised.natural_period_start < itemised.period_start
            as is_adjustment,
        case
            when itemised.invoice_currency = itemised.last_invoice_currency
                then itemised.invoice_currency
        end as invoice_currency,
        payouts.payout_currency,
        {#- The rate used, when the customer's lines in the row share one. #}
        cast(
            case
                when
                    itemised.invoice_currency = itemised.last_invoice_currency
                    and itemised.invoice_currency <> payouts.payout_currency
                    and itemised.invoice_units_per_eur
                    = itemised.last_invoice_units_per_eur
                    then {{ divide_exact(
                        'itemised.payout_units_per_eur',
                        'itemised.invoice_units_per_eur') }}
            end as {{ type_rate_wide() }}
        ) as payout_units_per_invoice_unit,
        cast(itemised.base_amount as {{ type_money_wide() }}) as base_amount,
        cast(
            case
                when itemised.commission_rate = itemised.last_commission_rate
                    then itemised.commission_rate
            end as {{ type_rate() }}
        ) as commission_rate,
        cast(
            itemised.commission_amount as {{ type_money_wide() }}
        ) as commission_amount,
        cast(itemised.line_count as {{ dbt.type_bigint() }}) as line_count,
        cast(
            itemised.excluded_line_count as {{ dbt.type_bigint() }}
        ) as excluded_line_count,
        cast(
            itemised.held_line_count as {{ dbt.type_bigint() }}
        ) as held_line_count,
        reasons_ranked.exclusion_reason as main_exclusion_reason
    from itemised
    inner join payouts
        on
            itemised.agreement_id = payouts.agreement_id
            and itemised.period_start = payouts.period_start
    left join customers
        on itemised.customer_id = customers.customer_id
    left join reasons_ranked
        on
            itemised.agreement_id = reasons_ranked.agreement_id
            and itemised.period_start = reasons_ranked.period_start
            and itemised.customer_id = reasons_ranked.customer_id
            and itemised.natural_period_start = reasons_ranked.period_start
            and reasons_ranked.reason_rank = 1
    left join final_statements
        on payouts.payout_id = final_statements.statement_id
    where final_statements.statement_id is null
),

{# In the mart's column order (published rows come in it). #}
final as (
    select * from published
    union all
    select * from computed
)

select * from final
