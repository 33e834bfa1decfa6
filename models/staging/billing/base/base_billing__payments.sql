{%- set raw_columns = contract_columns('billing', 'payments', [
    'payment_id', 'invoice_id', 'received_on', 'amount', 'recorded_at']) -%}

with source as (
    select * from {{ source('billing', 'payments') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

invoices as (
    {{ parent_verdicts(
        ref('base_billing__invoices'), 'invoice_id', carry=['issued_on']) }}
),

cleaned as (
    select
        {{ clean_text('payment_id') }} as payment_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ parsed_column('received_on', 'date') }},
        {{ parsed_column('amount', 'money') }},
        {{ parsed_column('recorded_at', 'timestamp') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.payment_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['payment_id'], 'keyed')
            + check_required('invoice_id', 'keyed')
            + check_value(
                'received_on', 'date', 'keyed', required=true,
                plausible='event')
            + check_value('amount', 'money', 'keyed', required=true)
            + check_value(
                'recorded_at', 'timestamp', 'keyed', required=true,
                plausible='as_of')
            + check_reference('invoice_id', 'keyed', 'invoices')
            + [[
                'keyed.received_on < invoices.issued_on',
                'payment_before_invoice', 'received_on'
            ]]
        ) }}
    from keyed
    cross join frame
    left join invoices
        on keyed.invoice_id = invoices.parent_key
),

final as (
    select
        checked.payment_id,
        checked.invoice_id,
        checked.received_on,
        checked.amount,
        checked.recorded_at,
        {{ quarantine_columns('checked', ['checked.payment_id'], raw_columns) }}
    from checked
)

select * from final
