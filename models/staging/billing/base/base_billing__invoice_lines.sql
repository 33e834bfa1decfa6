{%- set raw_columns = contract_columns('billing', 'invoice_lines', [
    'invoice_line_id', 'invoice_id', 'contract_id', 'product_code',
    'charge_type', 'service_period_start', 'service_period_end', 'quantity',
    'list_amount', 'discount_amount', 'promo_pct', 'net_amount',
    'tax_amount']) -%}

with source as (
    select * from {{ source('billing', 'invoice_lines') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

invoices as (
    {{ parent_verdicts(
        ref('base_billing__invoices'), 'invoice_id', carry=['document_type']) }}
),

contracts as (
    {{ parent_verdicts(ref('base_billing__contracts'), 'contract_id') }}
),

products as (
    {{ parent_verdicts(ref('base_billing__products'), 'product_code') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

cleaned as (
    select
        {{ clean_text('invoice_line_id') }} as invoice_line_id,
        {{ clean_text('invoice_id') }} as invoice_id,
        {{ clean_text('contract_id') }} as contract_id,
        {{ clean_text('product_code') }} as product_code,
        {{ clean_code('charge_type') }} as charge_type,
        {{ parsed_column(
            'service_period_start', 'date', 'service_period_starts_on') }},
        {{ parsed_column(
            'service_period_end', 'date', 'service_period_ends_on') }},
        {{ parsed_column('quantity', 'quantity') }},
        {{ parsed_column('list_amount', 'money') }},
        {{ parsed_column('discount_amount', 'money') }},
        {{ parsed_column('promo_pct', 'rate') }},
        {{ parsed_column('net_amount', 'money') }},
        {{ parsed_column('tax_amount', 'money') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.invoice_line_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['invoice_line_id'], 'keyed')
            + check_required('invoice_id', 'keyed')
            + check_required('product_code', 'keyed')
            + check_required('charge_type', 'keyed')
            + check_value(
                'service_period_starts_on', 'date', 'keyed',
                raw='service_period_start',
                plausible='planned')
            + check_value(
                'service_period_ends_on', 'date', 'keyed',
                raw='service_period_end',
                plausible='planned')
            + [[
                "keyed.charge_type = 'recurring' and ("
                ~ 'keyed.service_period_starts_on_text is null'
                ~ ' or keyed.service_period_ends_on_text is null)',
                'missing_required_value', 'service_period_start'
            ]]
            + check_value('quantity', 'quantity', 'keyed')
            + check_value('list_amount', 'money', 'keyed', required=true)
            + check_value('discount_amount', 'money', 'keyed', required=true)
            + check_value('promo_pct', 'rate', 'keyed')
            + check_value('net_amount', 'money', 'keyed', required=true)
            + check_value('tax_amount', 'money', 'keyed')
            + check_code('charge_type', 'keyed', 'charge_types')
            + check_fraction('promo_pct', 'keyed')
            + check_period(
                'service_period_starts_on', 'service_period_ends_on', 'keyed',
                raw='service_period_end')
            + [[
                'abs(keyed.net_amount - (keyed.list_amount'
                ~ ' - keyed.discount_amount)) > '
                ~ var('net_amount_tolerance'),
                'net_amount_mismatch', 'net_amount'
            ]]
            + check_reference('invoice_id', 'keyed', 'invoices')
            + check_reference('contract_id', 'keyed', 'contracts')
            + check_reference('product_code', 'keyed', 'products')
            + [[
                "invoices.document_type = 'credit_note'"
                ~ ' and keyed.net_amount > 0',
                'credit_note_positive_amount', 'net_amount'
            ]]
        ) }}
    from keyed
    cross join frame
    left join invoices
        on keyed.invoice_id = invoices.parent_key
    left join contracts
        on keyed.contract_id = contracts.parent_key
    left join products
        on keyed.product_code = products.parent_key
    left join code_values as charge_types
        on
            charge_types.code_set = 'charge_type'
            and keyed.charge_type = charge_types.code_value
),

final as (
    select
        checked.invoice_line_id,
        checked.invoice_id,
        checked.contract_id,
        checked.product_code,
        checked.charge_type,
        checked.service_period_starts_on,
        checked.service_period_ends_on,
        checked.quantity,
        checked.list_amount,
        checked.discount_amount,
        checked.promo_pct,
        checked.net_amount,
        checked.tax_amount,
        {{ quarantine_columns(
            'checked', ['checked.invoice_line_id'], raw_columns) }}
    from checked
)

select * from final
