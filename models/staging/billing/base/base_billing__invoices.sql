{%- set raw_columns = contract_columns('billing', 'invoices', [
    'invoice_id', 'customer_id', 'legal_entity', 'document_type',
    'corrects_invoice_id', 'issued_on', 'due_on', 'currency',
    'recorded_at']) -%}

with source as (
    select * from {{ source('billing', 'invoices') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

customers as (
    {{ parent_verdicts(ref('base_billing__customers'), 'customer_id') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

iso_currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

fx_coverage as (
    {{ fx_coverage() }}
),

cleaned as (
    select
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('legal_entity') }} as legal_entity,
        {{ clean_code('document_type') }} as document_type,
        {{ clean_text('corrects_invoice_id') }} as corrects_invoice_id,
        {{ parsed_column('issued_on', 'date') }},
        {{ parsed_column('due_on', 'date') }},
        {{ clean_iso_code('currency') }} as currency,
        {{ parsed_column('recorded_at', 'timestamp') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.invoice_id') }}
    from cleaned
),

{# First pass: everything but the reference to the corrected invoice. #}
checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['invoice_id'], 'keyed')
            + check_required('customer_id', 'keyed')
            + check_required('document_type', 'keyed')
            + check_value(
                'issued_on', 'date', 'keyed', required=true,
                plausible='event')
            + check_value('due_on', 'date', 'keyed', plausible='planned')
            + check_required('currency', 'keyed')
            + check_value(
                'recorded_at', 'timestamp', 'keyed', required=true,
                plausible='as_of')
            + check_code('document_type', 'keyed', 'document_types')
            + check_code(
                'currency', 'keyed', 'iso_currencies', 'currency_code')
            + check_reference('customer_id', 'keyed', 'customers')
            + check_currency_has_rate(
                'currency', 'keyed', 'fx_coverage', 'keyed.issued_on'),
            'own_reason', 'own_column'
        ) }}
    from keyed
    cross join frame
    left join customers
        on keyed.customer_id = customers.parent_key
    left join code_values as document_types
        on
            document_types.code_set = 'document_type'
            and keyed.document_type = document_types.code_value
    left join iso_currencies
        on keyed.currency = iso_currencies.currency_code
    left join fx_coverage
        on keyed.currency = fx_coverage.currency
),

{#
    Second pass: the corrected invoice, and every document up its chain,
    must be trusted; a chain that loops back is circular.
#}
{{ self_reference_ctes(
    'corrections', 'checked', 'invoice_id', 'corrects_invoice_id') }},

rechecked as (
    select
        checked.*,
        coalesce(checked.own_reason, corrections.reason) as rejection_reason,
        case
            when checked.own_reason is not null then checked.own_column
            when corrections.reason is not null then 'corrects_invoice_id'
        end as rejected_column
    from checked
    left join corrections
        on
            checked.invoice_id = corrections.child_key
            and checked.own_reason is null
),

final as (
    select
        rechecked.invoice_id,
        rechecked.customer_id,
        rechecked.legal_entity,
        rechecked.document_type,
        rechecked.corrects_invoice_id,
        rechecked.issued_on,
        rechecked.due_on,
        rechecked.currency,
        rechecked.recorded_at,
        {{ quarantine_columns(
            'rechecked', ['rechecked.invoice_id'], raw_columns) }}
    from rechecked
)

select * from final
