with payments as (
    select * from {{ ref('base_billing__payments') }}
    where rejection_reason is null
),

final as (
    select
        payment_id,
        invoice_id,
        received_on,
        amount,
        recorded_at
    from payments
)

select * from final
