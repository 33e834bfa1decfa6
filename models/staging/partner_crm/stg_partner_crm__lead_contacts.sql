{#- Personal data (full_name, email) ends here: no model may select it. -#}
with lead_contacts as (
    select * from {{ ref('base_partner_crm__lead_contacts') }}
    where rejection_reason is null
),

final as (
    select
        contact_id,
        lead_id,
        full_name,
        email,
        job_title,
        is_decision_maker,
        introduced_on
    from lead_contacts
)

select * from final
