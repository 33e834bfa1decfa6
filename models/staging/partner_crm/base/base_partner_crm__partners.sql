{%- set raw_columns = [
    'partner_id', 'partner_name', 'company_domain', 'country_code',
    'created_at'] -%}

with source as (
    select * from {{ source('partner_crm', 'partners') }}
),

iso_countries as (
    select * from {{ ref('iso_3166_countries') }}
),

cleaned as (
    select
        {{ clean_text('partner_id') }} as partner_id,
        {{ clean_text('partner_name') }} as partner_name,
        {{ clean_domain('company_domain') }} as company_domain,
        {{ clean_iso_code('country_code') }} as country_code,
        {{ parsed_column('created_at', 'timestamp') }},
        {{ raw_record(raw_columns) }} as raw_record
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.partner_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['partner_id'], 'keyed')
            + check_value('created_at', 'timestamp', 'keyed')
            + check_code(
                'country_code', 'keyed', 'iso_countries', 'country_code')
        ) }}
    from keyed
    left join iso_countries
        on keyed.country_code = iso_countries.country_code
),

final as (
    select
        partner_id,
        partner_name,
        company_domain,
        country_code,
        created_at,
        {{ quarantine_columns('checked', ['checked.partner_id']) }}
    from checked
)

select * from final
