with payout_runs as (
    select * from {{ ref('base_partner_crm__payout_runs') }}
    where rejection_reason is null
),

final as (
    select
        {{ text_key(['program_code', 'period_start']) }} as payout_run_id,
        program_code,
        period_start,
        period_end,
        closed_at
    from payout_runs
)

select * from final
