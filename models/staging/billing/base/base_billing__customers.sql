{%- set raw_columns = contract_columns('billing', 'customers', [
    'customer_id', 'customer_name', 'company_domain', 'country_code',
    'legal_entity', 'reseller_partner_id', 'created_at']) -%}

with source as (
    select * from {{ source('billing', 'customers') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

partners as (
    {{ parent_verdicts(ref('base_partner_crm__partners'), 'partner_id') }}
),

iso_countries as (
    select * from {{ ref('iso_3166_countries') }}
),

cleaned as (
    select
        {{ clean_text('customer_id') }} as customer_id,
        {{ clean_text('customer_name') }} as customer_name,
        {{ clean_domain('company_domain') }} as company_domain,
        {{ clean_iso_code('country_code') }} as country_code,
        {{ clean_text('legal_entity') }} as legal_entity,
        {{ clean_text('reseller_partner_id') }} as reseller_partner_id,
        {{ parsed_column('created_at', 'timestamp') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.customer_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['customer_id'], 'keyed')
            + check_value('created_at', 'timestamp', 'keyed', plausible='event')
            + check_code(
                'country_code', 'keyed', 'iso_countries', 'country_code')
            + check_reference('reseller_partner_id', 'keyed', 'partners')
        ) }}
    from keyed
    cross join frame
    left join iso_countries
        on keyed.country_code = iso_countries.country_code
    left join partners
        on keyed.reseller_partner_id = partners.parent_key
),

final as (
    select
        checked.customer_id,
        checked.customer_name,
        checked.company_domain,
        checked.country_code,
        checked.legal_entity,
        checked.reseller_partner_id,
        checked.created_at,
        {{ quarantine_columns(
            'checked', ['checked.customer_id'], raw_columns) }}
    from checked
)

select * from final
