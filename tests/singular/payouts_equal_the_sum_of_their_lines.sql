{#-
    Every payout is explained by its lines: per agreement and settlement
    period, commission_amount = the payable non-adjustment lines,
    adjustment_amount = the payable adjustment lines, line_count = their
    number, one payout currency; and every payable line has its payout row.
    Returns the disagreeing (agreement, period) pairs.
-#}
with lines as (
    select * from {{ ref('fct_commission_lines') }}
    where status = 'payable'
),

payouts as (
    select * from {{ ref('fct_partner_payouts') }}
),

line_sums as (
    select
        agreement_id,
        settlement_period_start as period_start,
        sum(
            case
                when not is_adjustment then commission_amount_payout_currency
                else 0
            end
        ) as commission_amount,
        sum(
            case
                when is_adjustment then commission_amount_payout_currency
                else 0
            end
        ) as adjustment_amount,
        count(*) as line_count,
        min(payout_currency) as min_currency,
        max(payout_currency) as max_currency
    from lines
    group by agreement_id, settlement_period_start
),

compared as (
    select
        payouts.commission_amount as payout_commission_amount,
        line_sums.commission_amount as lines_commission_amount,
        payouts.adjustment_amount as payout_adjustment_amount,
        line_sums.adjustment_amount as lines_adjustment_amount,
        payouts.line_count as payout_line_count,
        line_sums.line_count as lines_line_count,
        payouts.payout_currency,
        line_sums.min_currency,
        line_sums.max_currency,
        coalesce(payouts.agreement_id, line_sums.agreement_id) as agreement_id,
        coalesce(payouts.period_start, line_sums.period_start) as period_start
    from payouts
    full outer join line_sums
        on
            payouts.agreement_id = line_sums.agreement_id
            and payouts.period_start = line_sums.period_start
)

select *
from compared
where
    payout_line_count is null
    or coalesce(lines_line_count, 0) <> payout_line_count
    or coalesce(lines_commission_amount, 0) <> payout_commission_amount
    or coalesce(lines_adjustment_amount, 0) <> payout_adjustment_amount
    or (
        lines_line_count is not null
        and (min_currency <> max_currency or min_currency <> payout_currency)
    )
