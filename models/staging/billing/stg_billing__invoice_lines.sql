with invoice_lines as (
    select * from {{ ref('base_billing__invoice_lines') }}
    where rejection_reason is null
),

final as (
    select
        invoice_line_id,
        invoice_id,
        contract_id,
        product_code,
        charge_type,
        service_period_starts_on,
        service_period_ends_on,
        quantity,
        list_amount,
        discount_amount,
        promo_pct,
        net_amount,
        tax_amount
    from invoice_lines
)

select * from final
