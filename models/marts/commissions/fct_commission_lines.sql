{#-
    One row per invoice line × partner agreement whose partner registered a
    lead for the line's customer in the program: what it earns, when, and
    why not; plus the correction rows of lines published in final periods.
    The rules are in the intermediate models
    (models/intermediate/commissions/); this mart only selects.
-#}
with lines as (
    select * from {{ ref('int_commission_lines_corrected') }}
),

final as (
    select
        commission_line_id,
        partner_id,
        agreement_id,
        program_code,
        customer_id,
        lead_id,
        invoice_id,
        invoice_line_id,
        document_type,
        issued_on,
        product_code,
        product_family,
        charge_type,
        service_period_starts_on,
        service_period_ends_on,
        line_net_amount,
        is_after_original_term,
        is_base_capped,
        commissionable_amount,
        invoice_currency,
        requested_commission_rate,
        commission_rate,
        is_rate_capped,
        commission_amount,
        payout_currency,
        invoice_units_per_eur,
        payout_units_per_eur,
        commission_amount_payout_currency,
        commissionable_amount_payout_currency,
        settles_on,
        deciding_payment_id,
        deciding_recorded_at,
        natural_period_start,
        settlement_period_start,
        settlement_period_end,
        is_adjustment,
        adjustment_reason,
        adjustment_note,
        is_correction,
        is_final,
        payable_on,
        status,
        exclusion_reason
    from lines
)

select * from final
