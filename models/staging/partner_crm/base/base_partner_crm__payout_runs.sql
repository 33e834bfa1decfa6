{%- set raw_columns = contract_columns('partner_crm', 'payout_runs', [
    'program_code', 'period_start', 'period_end', 'closed_at']) -%}

with source as (
    select * from {{ source('partner_crm', 'payout_runs') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

programs as (
    select * from {{ ref('programs') }}
),

cleaned as (
    select
        {{ clean_code('program_code') }} as program_code,
        {{ parsed_column('period_start', 'date') }},
        {{ parsed_column('period_end', 'date') }},
        {{ parsed_column('closed_at', 'timestamp') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

date_keyed as (
    select
        cleaned.*,
        {{ date_key('cleaned.period_start', 'cleaned.period_start_text') }}
            as period_start_key
    from cleaned
),

keyed as (
    select
        date_keyed.*,
        {{ key_duplicate_columns(text_key([
            'date_keyed.program_code', 'date_keyed.period_start_key'])) }}
    from date_keyed
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(
                ['program_code', 'period_start_text'], 'keyed',
                'program_code|period_start')
            + check_value('period_start', 'date', 'keyed', plausible='as_of')
            + check_value(
                'period_end', 'date', 'keyed', required=true,
                plausible='planned')
            + check_value(
                'closed_at', 'timestamp', 'keyed', required=true,
                plausible='event')
            + check_code('program_code', 'keyed', 'programs', 'program_code')
            + check_period('period_start', 'period_end', 'keyed')
        ) }}
    from keyed
    cross join frame
    left join programs
        on keyed.program_code = programs.program_code
),

final as (
    select
        checked.program_code,
        checked.period_start,
        checked.period_end,
        checked.closed_at,
        {{ quarantine_columns('checked', [
            'checked.program_code', 'checked.period_start_key'], raw_columns) }}
    from checked
)

select * from final
