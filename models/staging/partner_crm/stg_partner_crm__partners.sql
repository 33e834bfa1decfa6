with partners as (
    select * from {{ ref('base_partner_crm__partners') }}
    where rejection_reason is null
),

final as (
    select
        partner_id,
        partner_name,
        company_domain,
        country_code,
        created_at
    from partners
)

select * from final
