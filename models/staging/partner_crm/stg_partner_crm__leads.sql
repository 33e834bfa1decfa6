with leads as (
    select * from {{ ref('base_partner_crm__leads') }}
    where rejection_reason is null
),

final as (
    select
        lead_id,
        partner_id,
        program_code,
        customer_id,
        registered_at,
        lead_status,
        approved_at,
        sales_account_owner,
        is_decision_maker_introduced
    from leads
)

select * from final
