with invoices as (
    select * from {{ ref('base_billing__invoices') }}
    where rejection_reason is null
),

final as (
    select
        invoice_id,
        customer_id,
        legal_entity,
        document_type,
        corrects_invoice_id,
        issued_on,
        due_on,
        currency,
        recorded_at,
        document_type = 'credit_note' as is_credit_note
    from invoices
)

select * from final
