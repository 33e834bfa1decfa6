{#-
    Holds personal data (full_name, email; flagged `contains_pii` in the
    source yml): it must not leave staging. The quarantine's copy of a
    rejected row shows those values as "<redacted>".
-#}
{%- set raw_columns = contract_columns('partner_crm', 'lead_contacts', [
    'contact_id', 'lead_id', 'full_name', 'email', 'job_title',
    'is_decision_maker', 'introduced_on']) -%}
{%- set pii_columns = ['full_name', 'email'] -%}

with source as (
    select * from {{ source('partner_crm', 'lead_contacts') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
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
        {# Duplicates are judged on all values; the record hides the names. #}
        {{ raw_columns_kept(raw_columns, redact=pii_columns) }}
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
            + check_value('introduced_on', 'date', 'keyed', plausible='event')
            + check_reference('lead_id', 'keyed', 'leads')
        ) }}
    from keyed
    cross join frame
    left join leads
        on keyed.lead_id = leads.parent_key
),

final as (
    select
        checked.contact_id,
        checked.lead_id,
        checked.full_name,
        checked.email,
        checked.job_title,
        checked.is_decision_maker,
        checked.introduced_on,
        {{ quarantine_columns(
            'checked', ['checked.contact_id'], raw_columns,
            redact=pii_columns) }}
    from checked
)

select * from final
