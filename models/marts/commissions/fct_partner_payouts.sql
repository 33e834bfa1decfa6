{#-
    What each partner agreement is paid per settlement period. The rules
    (rounding once, negative balances carried, final periods kept as
    published) are in int_partner_payouts_balanced; this mart only selects.
-#}
with payouts as (
    select * from {{ ref('int_partner_payouts_balanced') }}
),

final as (
    select
        payout_id,
        partner_id,
        agreement_id,
        program_code,
        period_start,
        period_end,
        payout_currency,
        commission_amount,
        adjustment_amount,
        period_net_amount,
        carried_in_amount,
        payout_amount,
        carried_out_amount,
        payout_due_on,
        is_closed,
        closed_at,
        line_count
    from payouts
)

select * from final
