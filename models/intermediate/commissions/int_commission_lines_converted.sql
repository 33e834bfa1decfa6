{{ config(materialized="table") }}

{#-
    Settled commission lines with the commission in the payout currency:
    converted at the rate of the settlement period's last day (the latest
    rate on or before it; programs.md, "Currency"), exactly:
    commission × payout-currency units per EUR ÷ invoice-currency units per
    EUR. Held and excluded lines have no payout-currency amount yet (held:
    the rate is not known until the line settles; excluded: nothing to pay).
    Read by both commission marts, so that a payout is the sum of its lines.
-#}
with lines as (
    select * from {{ ref('int_commission_lines_settled') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

final as (
    select
        lines.*,
        invoice_rates.units_per_eur as invoice_units_per_eur,
        payout_rates.units_per_eur as payout_units_per_eur,
        cast(
            case
                when lines.status = 'payable'
                    then {{ convert_currency(
                        'lines.commission_amount',
                        'invoice_rates.units_per_eur',
                        'payout_rates.units_per_eur') }}
            end as {{ type_money_wide() }}
        ) as commission_amount_payout_currency,
        cast(
            case
                when lines.status = 'payable'
                    then {{ convert_currency(
                        'lines.commissionable_amount',
                        'invoice_rates.units_per_eur',
                        'payout_rates.units_per_eur') }}
            end as {{ type_money_wide() }}
        ) as commissionable_amount_payout_currency
    from lines
    left join fx_rates as invoice_rates
        on
            lines.invoice_currency = invoice_rates.currency
            and lines.settlement_period_end = invoice_rates.rate_on
    left join fx_rates as payout_rates
        on
            lines.payout_currency = payout_rates.currency
            and lines.settlement_period_end = payout_rates.rate_on
)

select * from final
