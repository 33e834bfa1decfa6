{#-
    One partner statement per payout row, numbered, final or draft. The
    rules are in int_partner_statements_numbered; this mart only selects.
    `partner-payouts statements` renders each row as the documents a partner
    receives.
-#}
with statements as (
    select * from {{ ref('int_partner_statements_numbered') }}
),

final as (
    select
        statement_id,
        statement_number,
        statement_sequence,
        is_final,
        partner_id,
        partner_name,
        agreement_id,
        program_code,
        program_name,
        vendor_name,
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
        customer_count,
        line_count
    from statements
)

select * from final
