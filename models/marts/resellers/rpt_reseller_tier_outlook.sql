{#-
    Where each reseller is heading: the projected month of the next tier
    and the risk of dropping a tier. The rule is in
    int_reseller_tier_outlook_projected; this report only selects.
-#}
with outlook as (
    select * from {{ ref('int_reseller_tier_outlook_projected') }}
),

final as (
    select
        partner_id,
        agreement_id,
        program_code,
        as_of_month,
        months_observed,
        last_complete_month,
        last_mrr_eur,
        current_tier,
        mrr_trend_eur_per_month,
        projected_mrr_eur,
        next_tier,
        next_tier_floor_eur,
        months_to_next_tier,
        projected_next_tier_month,
        drop_risk_pct,
        drop_risk_level,
        method
    from outlook
)

select * from final
