{%- set raw_columns = contract_columns('billing', 'contracts', [
    'contract_id', 'customer_id', 'product_code', 'order_type',
    'renews_contract_id', 'ordered_on', 'signed_on', 'starts_on', 'ends_on',
    'cancelled_on', 'term_months', 'monthly_amount', 'currency']) -%}

with source as (
    select * from {{ source('billing', 'contracts') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

customers as (
    {{ parent_verdicts(ref('base_billing__customers'), 'customer_id') }}
),

products as (
    {{ parent_verdicts(ref('base_billing__products'), 'product_code') }}
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
        {{ clean_text('contract_id') }} as contract_id,
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('product_code') }} as product_code,
        {{ clean_code('order_type') }} as order_type,
        {{ clean_text('renews_contract_id') }} as renews_contract_id,
        {{ parsed_column('ordered_on', 'date') }},
        {{ parsed_column('signed_on', 'date') }},
        {{ parsed_column('starts_on', 'date') }},
        {{ parsed_column('ends_on', 'date') }},
        {{ parsed_column('cancelled_on', 'date') }},
        {{ parsed_column('term_months', 'integer') }},
        {{ parsed_column('monthly_amount', 'money') }},
        {{ clean_iso_code('currency') }} as currency,
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.contract_id') }}
    from cleaned
),

{# First pass: everything but the reference to the renewed contract. #}
checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['contract_id'], 'keyed')
            + check_required('customer_id', 'keyed')
            + check_required('product_code', 'keyed')
            + check_required('order_type', 'keyed')
            + check_value('ordered_on', 'date', 'keyed', plausible='event')
            + check_value('signed_on', 'date', 'keyed', plausible='event')
            + check_value(
                'starts_on', 'date', 'keyed', required=true,
                plausible='planned')
            + check_value('ends_on', 'date', 'keyed', plausible='planned')
            + check_value('cancelled_on', 'date', 'keyed', plausible='planned')
            + check_value('term_months', 'integer', 'keyed', required=true)
            + check_value('monthly_amount', 'money', 'keyed', required=true)
            + check_required('currency', 'keyed')
            + check_code('order_type', 'keyed', 'order_types')
            + check_code('term_months', 'keyed', 'terms')
            + check_code(
                'currency', 'keyed', 'iso_currencies', 'currency_code')
            + check_period('starts_on', 'ends_on', 'keyed')
            + check_reference('customer_id', 'keyed', 'customers')
            + check_reference('product_code', 'keyed', 'products')
            + check_currency_has_rate('currency', 'keyed', 'fx_coverage'),
            'own_reason', 'own_column'
        ) }}
    from keyed
    cross join frame
    left join customers
        on keyed.customer_id = customers.parent_key
    left join products
        on keyed.product_code = products.parent_key
    left join code_values as order_types
        on
            order_types.code_set = 'order_type'
            and keyed.order_type = order_types.code_value
    left join code_values as terms
        on
            terms.code_set = 'term_months'
            and cast(keyed.term_months as {{ dbt.type_string() }})
            = terms.code_value
    left join iso_currencies
        on keyed.currency = iso_currencies.currency_code
    left join fx_coverage
        on keyed.currency = fx_coverage.currency
),

{#
    Second pass: the renewed contract, and every contract up its renewal
    chain, must be trusted; a chain that loops back is circular.
#}
{{ self_reference_ctes(
    'renewals', 'checked', 'contract_id', 'renews_contract_id') }},

rechecked as (
    select
        checked.*,
        coalesce(checked.own_reason, renewals.reason) as rejection_reason,
        case
            when checked.own_reason is not null then checked.own_column
            when renewals.reason is not null then 'renews_contract_id'
        end as rejected_column
    from checked
    left join renewals
        on
            checked.contract_id = renewals.child_key
            and checked.own_reason is null
),

final as (
    select
        rechecked.contract_id,
        rechecked.customer_id,
        rechecked.product_code,
        rechecked.order_type,
        rechecked.renews_contract_id,
        rechecked.ordered_on,
        rechecked.signed_on,
        rechecked.starts_on,
        rechecked.ends_on,
        rechecked.cancelled_on,
        rechecked.term_months,
        rechecked.monthly_amount,
        rechecked.currency,
        {{ quarantine_columns(
            'rechecked', ['rechecked.contract_id'], raw_columns) }}
    from rechecked
)

select * from final
