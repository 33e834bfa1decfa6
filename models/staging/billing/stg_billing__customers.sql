with customers as (
    select * from {{ ref('base_billing__customers') }}
    where rejection_reason is null
),

final as (
    select
        customer_id,
        customer_name,
        company_domain,
        country_code,
        legal_entity,
        reseller_partner_id,
        created_at,
        reseller_partner_id is not null as is_reseller_account
    from customers
)

select * from final
