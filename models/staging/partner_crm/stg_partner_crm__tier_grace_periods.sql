with tier_grace_periods as (
    select * from {{ ref('base_partner_crm__tier_grace_periods') }}
    where rejection_reason is null
),

final as (
    select
        {{ text_key(['partner_id', 'program_code', 'starts_on']) }}
            as grace_period_id,
        partner_id,
        program_code,
        granted_tier,
        starts_on,
        ends_on
    from tier_grace_periods
)

select * from final
