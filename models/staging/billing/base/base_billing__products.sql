{%- set raw_columns = contract_columns('billing', 'products', [
    'product_code', 'product_name', 'product_family', 'is_recurring']) -%}

with source as (
    select * from {{ source('billing', 'products') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

cleaned as (
    select
        {{ clean_text('product_code') }} as product_code,
        {{ clean_text('product_name') }} as product_name,
        {{ clean_code('product_family') }} as product_family,
        {{ parsed_column('is_recurring', 'boolean') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.product_code') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['product_code'], 'keyed')
            + check_required('product_family', 'keyed')
            + check_value('is_recurring', 'boolean', 'keyed', required=true)
            + check_code('product_family', 'keyed', 'product_families')
        ) }}
    from keyed
    left join code_values as product_families
        on
            product_families.code_set = 'product_family'
            and keyed.product_family = product_families.code_value
),

final as (
    select
        checked.product_code,
        checked.product_name,
        checked.product_family,
        checked.is_recurring,
        {{ quarantine_columns(
            'checked', ['checked.product_code'], raw_columns) }}
    from checked
)

select * from final
