with partner_agreements as (
    select * from {{ ref('base_partner_crm__partner_agreements') }}
    where rejection_reason is null
),

final as (
    select
        agreement_id,
        partner_id,
        program_code,
        agreement_status,
        signed_on,
        approved_on,
        terminated_on,
        terminated_by,
        commission_rate_override,
        payout_currency,
        post_payment_approved_on
    from partner_agreements
)

select * from final
