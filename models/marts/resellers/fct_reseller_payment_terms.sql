{#-
    The payment terms of every invoice billed to a reseller's account
    against what the program allows. The rule is in
    int_reseller_payment_terms_checked; this mart only selects.
-#}
with checked as (
    select * from {{ ref('int_reseller_payment_terms_checked') }}
),

final as (
    select
        invoice_id,
        partner_id,
        customer_id,
        program_code,
        issued_on,
        due_on,
        has_post_payment,
        latest_allowed_due_on,
        finding
    from checked
)

select * from final
