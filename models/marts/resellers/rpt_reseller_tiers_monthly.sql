{#-
    Each reseller's tier, month by month: the MRR that decided it, the tier
    earned, the grace period that may lift it, the discounts and SLA level
    in force, and how far the next tier is. The rules are in
    int_reseller_tiers_earned; this report only selects.
-#}
with tiers as (
    select * from {{ ref('int_reseller_tiers_earned') }}
),

final as (
    select
        reseller_month_id,
        partner_id,
        agreement_id,
        program_code,
        month_start,
        is_month_complete,
        mrr_eur,
        basis_month_start,
        basis_mrr_eur,
        earned_tier,
        granted_tier,
        in_grace,
        grace_outcome,
        effective_tier,
        monthly_fee_discount_pct,
        setup_fee_discount_pct,
        sla_level,
        next_tier,
        mrr_to_next_tier_eur
    from tiers
)

select * from final
