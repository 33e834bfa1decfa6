{%- set raw_columns = contract_columns('partner_crm', 'partners', [
    'partner_id', 'partner_name', 'company_domain', 'country_code',
    'created_at']) -%}

with source as (
    select * from {{ source('partner_crm', 'partners') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
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
        {{ raw_columns_kept(raw_columns) }}
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
            + check_value('created_at', 'timestamp', 'keyed', plausible='event')
            + check_code(
                'country_code', 'keyed', 'iso_countries', 'country_code')
        ) }}
    from keyed
    cross join frame
    left join iso_countries
        on keyed.country_code = iso_countries.country_code
),

final as (
    select
        checked.partner_id,
        checked.partner_name,
        checked.company_domain,
        checked.country_code,
        checked.created_at,
        {{ quarantine_columns('checked', ['checked.partner_id'], raw_columns) }}
    from checked
)

select * from final
