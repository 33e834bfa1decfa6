{#- Holds personal data (full_name, email): it must not leave staging. -#}
{%- set raw_columns = [
    'contact_id', 'lead_id', 'full_name', 'email', 'job_title',
    'is_decision_maker', 'introduced_on'] -%}

with source as (
    select * from {{ source('partner_crm', 'lead_contacts') }}
),

leads as (
    {{ parent_verdicts(ref('base_partner_crm__leads'), 'lead_id') }}
),

cleaned as (
    select
        {{ clean_text('contact_id') }} as contact_id,
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('full_name') }} as full_name,
        lower({{ clean_text('email') }}) as email,
        {{ clean_text('job_title') }} as job_title,
        {{ parsed_column('is_decision_maker', 'boolean') }},
        {{ parsed_column('introduced_on', 'date') }},
        {{ raw_record(raw_columns) }} as raw_record
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.contact_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['contact_id'], 'keyed')
            + check_required('lead_id', 'keyed')
            + check_value('is_decision_maker', 'boolean', 'keyed')
            + check_value('introduced_on', 'date', 'keyed')
            + check_reference('lead_id', 'keyed', 'leads')
        ) }}
    from keyed
    left join leads
        on keyed.lead_id = leads.parent_key
),

final as (
    select
        contact_id,
        lead_id,
        full_name,
        email,
        job_title,
        is_decision_maker,
        introduced_on,
        {{ quarantine_columns('checked', ['checked.contact_id']) }}
    from checked
)

select * from final
