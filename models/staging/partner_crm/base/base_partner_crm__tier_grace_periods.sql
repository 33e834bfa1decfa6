{%- set raw_columns = contract_columns('partner_crm', 'tier_grace_periods', [
    'partner_id', 'program_code', 'granted_tier', 'starts_on', 'ends_on']) -%}

with source as (
    select * from {{ source('partner_crm', 'tier_grace_periods') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

partners as (
    {{ parent_verdicts(ref('base_partner_crm__partners'), 'partner_id') }}
),

programs as (
    select * from {{ ref('programs') }}
),

cleaned as (
    select
        {{ clean_text('partner_id') }} as partner_id,
        {{ clean_code('program_code') }} as program_code,
        {{ parsed_column('granted_tier', 'integer') }},
        {{ parsed_column('starts_on', 'date') }},
        {{ parsed_column('ends_on', 'date') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

date_keyed as (
    select
        cleaned.*,
        {{ date_key('cleaned.starts_on', 'cleaned.starts_on_text') }}
            as starts_on_key
    from cleaned
),

keyed as (
    select
        date_keyed.*,
        {{ key_duplicate_columns(text_key([
            'date_keyed.partner_id', 'date_keyed.program_code',
            'date_keyed.starts_on_key'])) }}
    from date_keyed
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(
                ['partner_id', 'program_code', 'starts_on_text'], 'keyed',
                'partner_id|program_code|starts_on')
            + check_value('granted_tier', 'integer', 'keyed', required=true)
            + check_value('starts_on', 'date', 'keyed', plausible='planned')
            + check_value(
                'ends_on', 'date', 'keyed', required=true,
                plausible='planned')
            + check_code('program_code', 'keyed', 'programs', 'program_code')
            + check_period('starts_on', 'ends_on', 'keyed')
            + check_reference('partner_id', 'keyed', 'partners')
        ) }}
    from keyed
    cross join frame
    left join partners
        on keyed.partner_id = partners.parent_key
    left join programs
        on keyed.program_code = programs.program_code
),

final as (
    select
        checked.partner_id,
        checked.program_code,
        checked.granted_tier,
        checked.starts_on,
        checked.ends_on,
        {{ quarantine_columns('checked', [
            'checked.partner_id', 'checked.program_code',
            'checked.starts_on_key'], raw_columns) }}
    from checked
)

select * from final
