{{ config(materialized="table") }}

{#-
    The discount audit of every invoice line billed to a reseller's account:
    the discount the reseller is entitled to against the discount invoiced
    (doc blocks `rule_reseller_entitled_discount`,
    `rule_reseller_term_surcharge`, `rule_reseller_seeding`).

    The tier is the contract's lock (int_reseller_contracts_locked); a line
    without a contract uses the effective tier of its issue month. The cap,
    the prepayment discounts and the surcharges are the terms in force on
    `issued_on`; a seeding unit's allowance is int_reseller_seeding_units_
    counted's. Invoiced discount = discount_amount ÷ list_amount. variance =
    invoiced net − entitled net (list × (1 − entitled %)); converted to EUR
    at the issue day's rate it is a finding beyond `audit_tolerance_eur`. An
    account whose partner is in no reseller program is entitled to nothing
    but its website promotions, with no tolerance (fix the agreement).
-#}
with lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

contract_locks as (
    select * from {{ ref('int_reseller_contracts_locked') }}
),

tiers as (
    select * from {{ ref('int_reseller_tiers_earned') }}
),

terms as (
    select * from {{ ref('reseller_terms') }}
),

prepayment_discounts as (
    select * from {{ ref('reseller_prepayment_discounts') }}
),

surcharges as (
    select * from {{ ref('reseller_term_surcharges') }}
),

seeding_units as (
    select * from {{ ref('int_reseller_seeding_units_counted') }}
),

allowances as (
    select * from {{ ref('reseller_seeding_allowances') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates_filled') }}
),

reseller_lines as (
    select
        lines.*,
        customers.reseller_partner_id as partner_id
    from lines
    inner join customers
        on lines.customer_id = customers.customer_id
    where customers.reseller_partner_id is not null
),

locked as (
    select
        reseller_lines.*,
        contract_locks.term_months,
        contract_locks.is_term_downgrade,
        coalesce(contract_locks.program_code, tiers.program_code)
            as program_code,
        case
            when contract_locks.contract_id is not null
                then contract_locks.tier_lock_source
            else 'issue_month'
        end as tier_lock_source,
        case
            when contract_locks.contract_id is not null
                then contract_locks.locked_tier
            else tiers.effective_tier
        end as locked_tier,
        case
            when contract_locks.contract_id is not null
                then contract_locks.locked_monthly_fee_discount_pct
            else tiers.monthly_fee_discount_pct
        end as tier_monthly_fee_discount_pct,
        case
            when contract_locks.contract_id is not null
                then contract_locks.locked_setup_fee_discount_pct
            else tiers.setup_fee_discount_pct
        end as tier_setup_fee_discount_pct
    from reseller_lines
    left join contract_locks
        on reseller_lines.contract_id = contract_locks.contract_id
    left join tiers
        on
            reseller_lines.partner_id = tiers.partner_id
            and {{ month_start('reseller_lines.issued_on') }}
            = tiers.month_start
),

termed as (
    select
        locked.*,
        cast(coalesce(locked.promo_pct, 0) as {{ type_rate() }})
            as promotion_pct,
        terms.max_monthly_fee_discount_pct,
        coalesce(terms.audit_tolerance_eur, 0) as audit_tolerance_eur,
        cast(
            coalesce(prepayment_discounts.prepayment_discount_pct, 0)
            as {{ type_rate() }}
        ) as prepayment_discount_pct,
        cast(
            case
                when locked.is_term_downgrade
                    then coalesce(surcharges.surcharge_pct, 0)
                else 0
            end as {{ type_rate() }}
        ) as surcharge_pct,
        case
            when seeding_units.contract_id is null then null
            when seeding_units.allowance_ends_on is null then null
            when seeding_units.is_over_unit_limit then 'over_unit_limit'
            when locked.service_on >= seeding_units.allowance_ends_on
                then 'after_allowance_period'
            else 'within_allowance'
        end as seeding_rule,
        allowances.within_allowance_discount_pct
    from locked
    left join terms
        on
            locked.program_code = terms.program_code
            and {{ in_force('terms', 'locked.issued_on') }}
    left join prepayment_discounts
        on
            locked.program_code = prepayment_discounts.program_code
            and locked.term_months = prepayment_discounts.term_months
            and {{ in_force('prepayment_discounts', 'locked.issued_on') }}
    left join surcharges
        on
            locked.program_code = surcharges.program_code
            and locked.term_months = surcharges.term_months
            and {{ in_force('surcharges', 'locked.issued_on') }}
    left join seeding_units
        on locked.contract_id = seeding_units.contract_id
    left join allowances
        on
            seeding_units.program_code = allowances.program_code
            and {{ in_force('allowances', 'seeding_units.starts_on') }}
),

entitled as (
    select
        termed.*,
        cast(
            case
                when
                    coalesce(termed.tier_monthly_fee_discount_pct, 0)
                    + termed.promotion_pct
                    > termed.max_monthly_fee_discount_pct
                    then termed.max_monthly_fee_discount_pct
                else
                    coalesce(termed.tier_monthly_fee_discount_pct, 0)
                    + termed.promotion_pct
            end as {{ type_rate() }}
        ) as capped_monthly_fee_discount_pct
    from termed
),

audited as (
    select
        entitled.*,
        cast(
            case
                when entitled.seeding_rule = 'within_allowance'
                    then entitled.within_allowance_discount_pct
                when entitled.charge_type = 'recurring'
                    then
                        1 - (1 - entitled.capped_monthly_fee_discount_pct)
                        * (1 - entitled.prepayment_discount_pct)
                        * (1 + entitled.surcharge_pct)
                when entitled.charge_type = 'setup'
                    then coalesce(entitled.tier_setup_fee_discount_pct, 0)
                else 0
            end as {{ type_rate_wide() }}
        ) as entitled_discount_pct,
        case
            when entitled.list_amount <> 0
                then {{ divide_exact(
                    'entitled.discount_amount', 'entitled.list_amount') }}
        end as invoiced_discount_pct
    from entitled
),

measured as (
    select
        audited.*,
        cast(
            audited.list_amount * (1 - audited.entitled_discount_pct)
            as {{ type_money_wide() }}
        ) as entitled_net_amount
    from audited
),

varied as (
    select
        measured.*,
        measured.net_amount - measured.entitled_net_amount as variance_amount,
        cast(
            {{ convert_currency(
                'measured.net_amount - measured.entitled_net_amount',
                'invoice_rates.units_per_eur',
                'eur_rates.units_per_eur') }}
            as {{ type_money_wide() }}
        ) as variance_amount_eur
    from measured
    left join fx_rates as invoice_rates
        on
            measured.invoice_currency = invoice_rates.currency
            and measured.issued_on = invoice_rates.rate_on
    left join fx_rates as eur_rates
        on
            eur_rates.currency = '{{ var("fx_base_currency") }}'
            and measured.issued_on = eur_rates.rate_on
),

final as (
    select
        invoice_line_id,
        invoice_id,
        partner_id,
        program_code,
        customer_id,
        legal_entity,
        contract_id,
        issued_on,
        charge_type,
        product_code,
        invoice_currency,
        term_months,
        tier_lock_source,
        locked_tier,
        tier_monthly_fee_discount_pct,
        tier_setup_fee_discount_pct,
        promotion_pct,
        max_monthly_fee_discount_pct,
        capped_monthly_fee_discount_pct,
        prepayment_discount_pct,
        surcharge_pct,
        seeding_rule,
        entitled_discount_pct,
        invoiced_discount_pct,
        list_amount,
        discount_amount,
        entitled_net_amount,
        net_amount as invoiced_net_amount,
        variance_amount,
        variance_amount_eur,
        audit_tolerance_eur,
        case
            when variance_amount_eur > audit_tolerance_eur
                then 'under_discounted'
            when variance_amount_eur < -1 * audit_tolerance_eur
                then 'over_discounted'
            else 'ok'
        end as finding
    from varied
)

select * from final
