{#-
    The tier lock of every contract of a reseller's account (programs.md
    section 2, "Tier lock"; doc block `rule_reseller_lock`). A contract whose
    order type locks at order (seed `reseller_order_type_locks`: new,
    upgrade, downgrade and seeding) takes the effective tier
    of its order month (`ordered_on`; signing or start day when missing)
    for its whole life, with that tier's discounts as in force on
    `ordered_on`. A renewal keeps the lock of the contract it renews,
    followed up the renewal chain (however long) to the contract that
    locked it. A tier change never changes the discount of a
    contract already ordered. A renewal whose chain reaches no locking
    contract falls back to its own order month (`tier_lock_source`
    `renewal_without_origin`). The program (and so the lock rule) is the
    reseller's agreement's, whether or not its order month has a tier row;
    an order type the seed does not list has no rule, which a test turns
    into a failed build rather than a silent default. Accounts of a partner
    in no reseller program have no rule to follow: each contract stands on
    its own order (and is entitled to nothing).
-#}
with contracts as (
    select * from {{ ref('stg_billing__contracts') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

tiers as (
    select * from {{ ref('int_reseller_tiers_earned') }}
),

locks as (
    select * from {{ ref('reseller_order_type_locks') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

bands as (
    select * from {{ ref('reseller_tier_bands') }}
),

reseller_contracts as (
    select
        contracts.contract_id,
        contracts.customer_id,
        customers.reseller_partner_id as partner_id,
        contracts.order_type,
        contracts.renews_contract_id,
        contracts.term_months,
        coalesce(
            contracts.ordered_on, contracts.signed_on, contracts.starts_on
        ) as ordered_on,
        {#- A renewal on a shorter term (rule_reseller_term_surcharge). #}
        coalesce(
            contracts.order_type = 'renewal'
            and contracts.term_months < renewed.term_months,
            false
        ) as is_term_downgrade
    from contracts
    inner join customers
        on contracts.customer_id = customers.customer_id
    left join contracts as renewed
        on contracts.renews_contract_id = renewed.contract_id
    where customers.reseller_partner_id is not null
),

reseller_programs as (
    select
        agreements.partner_id,
        agreements.program_code
    from agreements
    where agreements.rule_type = 'reseller_discount'
),

own_locks as (
    select
        reseller_contracts.*,
        reseller_programs.program_code,
        tiers.effective_tier as order_month_tier,
        case
            when reseller_programs.program_code is null then 'order_month'
            else locks.tier_lock
        end as tier_lock
    from reseller_contracts
    left join reseller_programs
        on reseller_contracts.partner_id = reseller_programs.partner_id
    left join tiers
        on
            reseller_contracts.partner_id = tiers.partner_id
            and reseller_programs.program_code = tiers.program_code
            and {{ month_start('reseller_contracts.ordered_on') }}
            = tiers.month_start
    left join locks
        on
            reseller_programs.program_code = locks.program_code
            and reseller_contracts.order_type = locks.order_type
            and {{ in_force('locks', 'reseller_contracts.ordered_on') }}
),

{# The order each contract inherits its lock from (itself, or up the chain). #}
{{ chain_root_ctes(
    'pointers', 'own_locks', 'contract_id',
    "case when own_locks.tier_lock = 'renewed_contract'"
    ~ " then own_locks.renews_contract_id else own_locks.contract_id end",
    var('tier_lock_chain_doublings')) }},

chained as (
    select
        pointers.contract_id,
        case
            when origins.tier_lock <> 'renewed_contract'
                then origins.contract_id
        end as origin_contract_id
    from pointers
    left join own_locks as origins
        on pointers.pointer_id = origins.contract_id
),

locked as (
    select
        own_locks.*,
        coalesce(
            chained.origin_contract_id, own_locks.contract_id
        ) as lock_contract_id,
        case
            when chained.origin_contract_id = own_locks.contract_id
                then 'order_month'
            when chained.origin_contract_id is not null
                then 'renewed_contract'
            else 'renewal_without_origin'
        end as tier_lock_source
    from own_locks
    inner join chained
        on own_locks.contract_id = chained.contract_id
),

final as (
    select
        locked.contract_id,
        locked.customer_id,
        locked.partner_id,
        locked.program_code,
        locked.order_type,
        locked.renews_contract_id,
        locked.term_months,
        locked.is_term_downgrade,
        locked.ordered_on,
        locked.tier_lock,
        locked.tier_lock_source,
        locked.lock_contract_id,
        origins.ordered_on as lock_ordered_on,
        origins.order_month_tier as locked_tier,
        origin_bands.monthly_fee_discount_pct
            as locked_monthly_fee_discount_pct,
        origin_bands.setup_fee_discount_pct as locked_setup_fee_discount_pct
    from locked
    inner join own_locks as origins
        on locked.lock_contract_id = origins.contract_id
    left join bands as origin_bands
        on
            origins.program_code = origin_bands.program_code
            and origins.order_month_tier = origin_bands.tier
            and {{ in_force('origin_bands', 'origins.ordered_on') }}
)

select * from final
