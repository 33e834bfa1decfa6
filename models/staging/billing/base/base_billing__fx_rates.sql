{%- set raw_columns = contract_columns('billing', 'fx_rates', [
    'rate_date', 'currency', 'units_per_eur']) -%}

with source as (
    select * from {{ source('billing', 'fx_rates') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

iso_currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

cleaned as (
    select
        {{ parsed_column('rate_date', 'date', 'rate_on') }},
        {{ clean_iso_code('currency') }} as currency,
        {{ parsed_column('units_per_eur', 'fx_rate') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

date_keyed as (
    select
        cleaned.*,
        {{ date_key('cleaned.rate_on', 'cleaned.rate_on_text') }} as rate_on_key
    from cleaned
),

keyed as (
    select
        date_keyed.*,
        {{ key_duplicate_columns(text_key(
            ['date_keyed.currency', 'date_keyed.rate_on_key'])) }}
    from date_keyed
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(
                ['currency', 'rate_on_text'], 'keyed', 'currency|rate_date')
            + check_value(
                'rate_on', 'date', 'keyed', raw='rate_date',
                plausible='event')
            + check_value('units_per_eur', 'fx_rate', 'keyed', required=true)
            + check_code(
                'currency', 'keyed', 'iso_currencies', 'currency_code')
            + [[
                'keyed.units_per_eur <= 0 or (keyed.currency = '
                ~ "'" ~ var('fx_base_currency') ~ "'"
                ~ ' and keyed.units_per_eur <> 1)',
                'invalid_fx_rate', 'units_per_eur'
            ]]
        ) }}
    from keyed
    cross join frame
    left join iso_currencies
        on keyed.currency = iso_currencies.currency_code
),

final as (
    select
        checked.rate_on,
        checked.currency,
        checked.units_per_eur,
        {{ quarantine_columns(
            'checked', ['checked.currency', 'checked.rate_on_key'],
            raw_columns) }}
    from checked
)

select * from final
