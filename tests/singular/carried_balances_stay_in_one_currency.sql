{#-
    A negative balance carried into a payout row was computed in the
    previous row's currency; it may only be netted with amounts in that
    same currency. Fails for every payout row that carries a balance in
    from a row of the same agreement in another payout currency (a change
    of `payout_currency` in `commission_terms` or of an agreement's
    override while a balance is open: D34). Together with
    payouts_equal_the_sum_of_their_lines (one currency per row) no payout
    adds up two currencies.
-#}
with payouts as (
    select * from {{ ref('fct_partner_payouts') }}
),

sequenced as (
    select
        payout_id,
        agreement_id,
        period_start,
        payout_currency,
        carried_in_amount,
        lag(payout_currency) over (
            partition by agreement_id
            order by period_start
        ) as previous_payout_currency
    from payouts
)

select *
from sequenced
where
    carried_in_amount <> 0
    and previous_payout_currency <> payout_currency
