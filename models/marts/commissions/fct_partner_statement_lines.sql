{#-
    What each partner statement itemises: per referred customer and natural
    period, the base and the commission in the payout currency, late
    adjustments on their own rows, and what earned nothing or is held. The
    rules are in int_partner_statement_lines_itemised; this mart only
    selects.
-#}
with statement_lines as (
    select * from {{ ref('int_partner_statement_lines_itemised') }}
),

final as (
    select
        statement_line_id,
        statement_id,
        customer_id,
        customer_name,
        natural_period_start,
        is_adjustment,
        invoice_currency,
        payout_currency,
        payout_units_per_invoice_unit,
        base_amount,
        commission_rate,
        commission_amount,
        line_count,
        excluded_line_count,
        held_line_count,
        main_exclusion_reason
    from statement_lines
)

select * from final
