with products as (
    select * from {{ ref('base_billing__products') }}
    where rejection_reason is null
),

final as (
    select
        product_code,
        product_name,
        product_family,
        is_recurring
    from products
)

select * from final
