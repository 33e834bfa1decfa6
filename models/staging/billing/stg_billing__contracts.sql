with contracts as (
    select * from {{ ref('base_billing__contracts') }}
    where rejection_reason is null
),

final as (
    select
        contract_id,
        customer_id,
        product_code,
        order_type,
        renews_contract_id,
        ordered_on,
        signed_on,
        starts_on,
        ends_on,
        cancelled_on,
        term_months,
        monthly_amount,
        currency
    from contracts
)

select * from final
