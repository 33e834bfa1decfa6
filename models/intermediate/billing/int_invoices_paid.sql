{{ config(materialized="table") }}

{#-
    Payment state of every trusted invoice and credit note.

    - `gross_amount`: what the customer owes: net + tax of the document's
      trusted lines.
    - First cash receipt (One Network's trigger): the first payment of a
      positive amount.
    - Paid in full (NetSource's trigger): the payment after which the sum of
      the document's payments reaches its gross amount; the invoice is paid
      in full on the latest day any of the payments counted so far was
      received.

    Payments count in the order the billing system **recorded** them (then
    by received day and id), not by received day: what was known when a
    payout period was closed can then never be re-decided by a payment
    recorded later, so closed periods stay as they were (a late payment can
    only complete an invoice later, never earlier). A document with nothing
    to pay (gross ≤ 0) counts as paid when it is issued.
    `*_recorded_at` is when the deciding payment was recorded.
-#}
with invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

invoice_lines as (
    select * from {{ ref('stg_billing__invoice_lines') }}
),

payments as (
    select * from {{ ref('stg_billing__payments') }}
),

gross as (
    select
        invoice_lines.invoice_id,
        sum(
            invoice_lines.net_amount + coalesce(invoice_lines.tax_amount, 0)
        ) as gross_amount
    from invoice_lines
    group by invoice_lines.invoice_id
),

payments_in_order as (
    select
        payments.invoice_id,
        payments.payment_id,
        payments.received_on,
        payments.recorded_at,
        payments.amount,
        sum(payments.amount) over (
            partition by payments.invoice_id
            order by
                payments.recorded_at, payments.received_on, payments.payment_id
            rows between unbounded preceding and current row
        ) as cumulative_amount,
        max(payments.received_on) over (
            partition by payments.invoice_id
            order by
                payments.recorded_at, payments.received_on, payments.payment_id
            rows between unbounded preceding and current row
        ) as all_received_on,
        row_number() over (
            partition by payments.invoice_id, payments.amount > 0
            order by
                payments.recorded_at, payments.received_on, payments.payment_id
        ) as position_in_sign
    from payments
),

totals as (
    select
        payments_in_order.invoice_id,
        sum(payments_in_order.amount) as paid_amount,
        count(*) as payment_count
    from payments_in_order
    group by payments_in_order.invoice_id
),

first_receipts as (
    select
        payments_in_order.invoice_id,
        payments_in_order.payment_id as first_receipt_payment_id,
        payments_in_order.received_on as first_receipt_on,
        payments_in_order.recorded_at as first_receipt_recorded_at
    from payments_in_order
    where
        payments_in_order.amount > 0
        and payments_in_order.position_in_sign = 1
),

completing as (
    select
        payments_in_order.invoice_id,
        payments_in_order.payment_id,
        payments_in_order.all_received_on,
        payments_in_order.recorded_at,
        row_number() over (
            partition by payments_in_order.invoice_id
            order by
                payments_in_order.recorded_at,
                payments_in_order.received_on,
                payments_in_order.payment_id
        ) as completing_rank
    from payments_in_order
    inner join gross
        on payments_in_order.invoice_id = gross.invoice_id
    where payments_in_order.cumulative_amount >= gross.gross_amount
),

final as (
    select
        invoices.invoice_id,
        invoices.customer_id,
        invoices.is_credit_note,
        invoices.issued_on,
        invoices.currency,
        first_receipts.first_receipt_payment_id,
        first_receipts.first_receipt_on,
        first_receipts.first_receipt_recorded_at,
        coalesce(gross.gross_amount, 0) as gross_amount,
        coalesce(totals.paid_amount, 0) as paid_amount,
        coalesce(totals.payment_count, 0) as payment_count,
        case
            when coalesce(gross.gross_amount, 0) <= 0
                then invoices.issued_on
            else completing.all_received_on
        end as paid_in_full_on,
        case
            when coalesce(gross.gross_amount, 0) <= 0
                then invoices.recorded_at
            else completing.recorded_at
        end as paid_in_full_recorded_at,
        case
            when coalesce(gross.gross_amount, 0) > 0
                then completing.payment_id
        end as completing_payment_id
    from invoices
    left join gross
        on invoices.invoice_id = gross.invoice_id
    left join totals
        on invoices.invoice_id = totals.invoice_id
    left join first_receipts
        on invoices.invoice_id = first_receipts.invoice_id
    left join completing
        on
            invoices.invoice_id = completing.invoice_id
            and completing.completing_rank = 1
)

select * from final
