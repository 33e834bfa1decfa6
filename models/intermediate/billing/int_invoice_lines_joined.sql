{{ config(materialized="table") }}

{#-
    Every trusted invoice line with its document (customer, issue date,
    currency, type, when it was recorded) and its product (family, recurring
    flag): the fact that the commission and reseller rules start from.
    `service_on` is the day a line's service starts (its issue date when the
    line has no service period, e.g. a one-off charge).
-#}
with invoice_lines as (
    select * from {{ ref('stg_billing__invoice_lines') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

products as (
    select * from {{ ref('stg_billing__products') }}
),

final as (
    select
        invoice_lines.invoice_line_id,
        invoice_lines.invoice_id,
        invoices.customer_id,
        invoices.legal_entity,
        invoices.document_type,
        invoices.is_credit_note,
        invoices.corrects_invoice_id,
        invoices.issued_on,
        invoices.recorded_at as invoice_recorded_at,
        invoices.currency as invoice_currency,
        invoice_lines.contract_id,
        invoice_lines.product_code,
        products.product_family,
        products.is_recurring as is_recurring_product,
        invoice_lines.charge_type,
        invoice_lines.service_period_starts_on,
        invoice_lines.service_period_ends_on,
        coalesce(
            invoice_lines.service_period_starts_on, invoices.issued_on
        ) as service_on,
        invoice_lines.quantity,
        invoice_lines.list_amount,
        invoice_lines.discount_amount,
        invoice_lines.promo_pct,
        invoice_lines.net_amount,
        invoice_lines.tax_amount
    from invoice_lines
    inner join invoices
        on invoice_lines.invoice_id = invoices.invoice_id
    inner join products
        on invoice_lines.product_code = products.product_code
)

select * from final
