{{ config(materialized="table") }}

{#-
    The discount audit of every invoice line billed to a reseller's account
    (programs.md section 2, "Audit"): the discount the reseller is entitled
    to against the discount invoiced.

    Entitled discount, by charge type:
    - recurring (monthly fees): the locked tier's monthly-fee discount plus
      the line's website promotion (`promo_pct`), the sum capped at
      `max_monthly_fee_discount_pct` (25 %), then the prepayment discount of
      the contract's term on top of the discounted price:
      1 − (1 − min(tier % + promo %, cap)) × (1 − prepay %);
    - setup: the locked tier's setup-fee discount only;
    - one-time and usage charges: none (the program discounts monthly and
      setup fees).
    The tier is the contract's lock (int_reseller_contracts_locked); a line
    without a contract uses the effective tier of its issue month. The cap
    and the prepayment discounts are the terms in force on `issued_on`.

    Invoiced discount = discount_amount ÷ list_amount. variance = invoiced
    net − entitled net (list × (1 − entitled %)); converted to EUR at the
    issue day's rate it is a finding beyond `audit_tolerance_eur` (a cent):
    `under_discounted` (positive: the reseller was charged too much),
    `over_discounted` (negative: revenue leak); otherwise `ok`. An account
    whose partner is in no reseller program is entitled to nothing but its
    website promotions, with no tolerance (fix the agreement).
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
        ) as prepayment_discount_pct
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
                when entitled.charge_type = 'recurring'
                    then
                        1 - (1 - entitled.capped_monthly_fee_discount_pct)
                        * (1 - entitled.prepayment_discount_pct)
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
