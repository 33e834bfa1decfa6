{#-
    The discount audit: every invoice line billed to a reseller's account,
    with the discount it should carry (locked tier, promotion, cap,
    prepayment) against the discount it does carry, and the finding. The
    rules are in int_reseller_lines_audited; this mart only selects.
-#}
with audited as (
    select * from {{ ref('int_reseller_lines_audited') }}
),

final as (
    select
        invoice_line_id,
        invoice_id,
        partner_id,
        program_code,
        customer_id,
        legal_entity,
        contract_id,
        issued_on,
        charge_type,
        product_code,
        invoice_currency,
        term_months,
        tier_lock_source,
        locked_tier,
        tier_monthly_fee_discount_pct,
        tier_setup_fee_discount_pct,
        promotion_pct,
        capped_monthly_fee_discount_pct,
        prepayment_discount_pct,
        surcharge_pct,
        seeding_rule,
        list_amount,
        discount_amount,
        entitled_discount_pct,
        invoiced_discount_pct,
        entitled_net_amount,
        invoiced_net_amount,
        variance_amount,
        variance_amount_eur,
        audit_tolerance_eur,
        finding
    from audited
)

select * from final
