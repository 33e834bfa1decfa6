{#-
    The payment terms of every invoice (not a credit note) billed to a
    reseller's account (doc block `rule_reseller_post_payment`): whether
    the reseller had post-payment on the issue day, the latest due date the
    program allows (seed `reseller_terms` in force on `issued_on`), and the
    finding.
-#}
with invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

terms as (
    select * from {{ ref('reseller_terms') }}
),

reseller_invoices as (
    select
        invoices.invoice_id,
        customers.reseller_partner_id as partner_id,
        invoices.customer_id,
        agreements.program_code,
        invoices.issued_on,
        invoices.due_on,
        coalesce(
            agreements.post_payment_approved_on <= invoices.issued_on, false
        ) as has_post_payment
    from invoices
    inner join customers
        on invoices.customer_id = customers.customer_id
    left join agreements
        on
            customers.reseller_partner_id = agreements.partner_id
            and agreements.rule_type = 'reseller_discount'
    where
        customers.reseller_partner_id is not null
        and not invoices.is_credit_note
),

allowed as (
    select
        reseller_invoices.*,
        {#- Without reseller terms (no program): due on the issue day. #}
        coalesce(
            {{ add_days(
                'reseller_invoices.issued_on',
                'case when reseller_invoices.has_post_payment'
                ~ ' then terms.post_payment_due_days'
                ~ ' else terms.pre_payment_due_days end') }},
            reseller_invoices.issued_on
        ) as latest_allowed_due_on
    from reseller_invoices
    left join terms
        on
            reseller_invoices.program_code = terms.program_code
            and {{ in_force('terms', 'reseller_invoices.issued_on') }}
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
        case
            when due_on > latest_allowed_due_on
                then 'payment_terms_too_long'
            else 'ok'
        end as finding
    from allowed
)

select * from final
