{{ config(materialized="table") }}

{#-
    The commission rules, applied to every invoice line of a customer for
    whom a partner registered a lead in a commission program, once per that
    partner's agreement (doc block `rule_which_lines_appear`):

    1. the deciding lead: of the agreement's leads for the customer, the one
       that got furthest (attributed before any reason; then the reason
       latest in the seed's order), preferring a lead whose commission
       window holds the line, then the earliest;
    2. the terms in force on the line's earning day (`rule_terms_in_force`);
    3. `exclusion_reason`: each rule's condition below, the first in the
       order of the seed `exclusion_reasons` (`rule_exclusion_order`);
    4. the rate (`rule_rate`) and the base: the net amount, or NetSource's
       capped base (int_commission_bases_capped); commission = base × rate
       at full precision (excluded lines: 0). Rounding happens once, per
       payout row.
-#}
{%- set earning_on = 'coalesce(lines.corrected_issued_on, lines.issued_on)' -%}

with lines as (
    select * from {{ ref('int_invoice_lines_joined') }}
),

leads as (
    select * from {{ ref('int_leads_attributed') }}
),

deals as (
    select * from {{ ref('int_deals_qualified') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

capped_bases as (
    select * from {{ ref('int_commission_bases_capped') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

basis as (
    select * from {{ ref('commission_basis') }}
),

exclusion_reasons as (
    select * from {{ ref('exclusion_reasons') }}
),

agreement_leads as (
    select
        leads.lead_id,
        leads.agreement_id,
        leads.customer_id,
        leads.registered_at,
        {{ timestamp_date('leads.registered_at') }} as registered_on,
        leads.attribution_reason,
        leads.commission_window_months,
        deals.commission_window_starts_on,
        deals.commission_window_ends_on,
        exclusion_reasons.precedence as reason_progress
    from leads
    left join deals
        on leads.lead_id = deals.lead_id
    left join exclusion_reasons
        on leads.attribution_reason = exclusion_reasons.exclusion_reason
    where leads.agreement_id is not null
),

line_lead_windows as (
    select
        lines.invoice_line_id,
        agreement_leads.agreement_id,
        agreement_leads.lead_id,
        agreement_leads.attribution_reason,
        agreement_leads.reason_progress,
        agreement_leads.registered_at,
        coalesce(lines.corrected_issued_on, lines.issued_on)
        >= agreement_leads.registered_on
        and (
            agreement_leads.commission_window_months is null
            or coalesce(
                agreement_leads.commission_window_starts_on <= lines.service_on
                and agreement_leads.commission_window_ends_on
                > lines.service_on,
                false
            )
        ) as is_in_commission_window
    from lines
    inner join agreement_leads
        on lines.customer_id = agreement_leads.customer_id
),

line_leads as (
    select
        line_lead_windows.*,
        row_number() over (
            partition by
                line_lead_windows.invoice_line_id,
                line_lead_windows.agreement_id
            order by
                -- attributed (no reason) first, then the furthest reason
                line_lead_windows.reason_progress desc nulls first,
                case
                    when line_lead_windows.is_in_commission_window then 0
                    else 1
                end asc,
                line_lead_windows.registered_at asc,
                line_lead_windows.lead_id asc
        ) as lead_rank
    from line_lead_windows
),

decided as (
    select
        lines.*,
        line_leads.lead_id,
        line_leads.attribution_reason,
        line_leads.is_in_commission_window,
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        agreements.approved_on,
        agreements.terminated_on,
        agreements.terminated_by,
        agreements.commission_rate_override,
        {#-
            The day the agreement must have been in force: the issue day,
            or for a credit note the corrected invoice's issue day (a
            credit note claws back what its invoice earned, even after the
            agreement ended).
        #}
        coalesce(lines.corrected_issued_on, lines.issued_on) as earning_on,
        coalesce(
            agreements.payout_currency_override, period_terms.payout_currency
        ) as payout_currency,
        terms.commission_rate as program_commission_rate,
        terms.max_commission_rate,
        period_terms.settlement_months,
        period_terms.settlement_trigger,
        period_terms.payout_due_months_after_period,
        period_terms.payout_due_days_after_receipt,
        terms.vendor_termination_tail_months,
        {{ commission_basis_included('family') }} as is_product_included,
        {{ commission_basis_included('charge') }} as is_charge_type_included,
        coalesce(capped_bases.is_after_original_term, false)
            as is_after_original_term,
        capped_bases.original_contract_cap_amount,
        coalesce(capped_bases.base_amount, lines.net_amount) as base_amount,
        lead_reasons.precedence as attribution_precedence
    from line_leads
    inner join lines
        on line_leads.invoice_line_id = lines.invoice_line_id
    inner join agreements
        on line_leads.agreement_id = agreements.agreement_id
    left join terms
        on
            agreements.program_code = terms.program_code
            and {{ in_force('terms', earning_on) }}
    left join terms as period_terms
        on
            agreements.program_code = period_terms.program_code
            and {{ in_force('period_terms', 'lines.issued_on') }}
    {{ commission_basis_joins(
        'family', 'agreements.program_code', 'product_family',
        'lines.product_family', earning_on) }}
    {{ commission_basis_joins(
        'charge', 'agreements.program_code', 'charge_type',
        'lines.charge_type', earning_on) }}
    left join capped_bases
        on
            lines.invoice_line_id = capped_bases.invoice_line_id
            and agreements.program_code = capped_bases.program_code
    left join exclusion_reasons as lead_reasons
        on line_leads.attribution_reason = lead_reasons.exclusion_reason
    where line_leads.lead_rank = 1
),

precedences as (
    {{ exclusion_precedences([
        'agreement_not_approved', 'agreement_terminated',
        'outside_commission_window', 'product_excluded',
        'charge_type_excluded']) }}
),

{#
    Each reason's condition (doc blocks rule_termination,
    rule_lead_registration_starts_earning, rule_onenetwork_deal,
    rule_basis); the lead's own reason comes from int_leads_attributed.
#}
checked as (
    select
        decided.*,
        {{ first_exclusion([
            ['precedences.agreement_not_approved',
                "decided.attribution_reason = 'agreement_not_approved'"
                ~ ' or decided.earning_on < decided.approved_on'],
            ['decided.attribution_precedence',
                'decided.attribution_reason is not null'],
            ['precedences.agreement_terminated',
                "decided.terminated_on is not null and case when"
                ~ " decided.terminated_by = 'vendor' and"
                ~ ' decided.vendor_termination_tail_months is not null'
                ~ ' then decided.earning_on >= ' ~ add_months(
                    month_start('decided.terminated_on'),
                    'decided.vendor_termination_tail_months')
                ~ ' else decided.earning_on > decided.terminated_on end'],
            ['precedences.outside_commission_window',
                'not decided.is_in_commission_window'],
            ['precedences.product_excluded', 'not decided.is_product_included'],
            ['precedences.charge_type_excluded',
                'not decided.is_charge_type_included'],
        ]) }} as exclusion_precedence,
        coalesce(
            decided.commission_rate_override, decided.program_commission_rate
        ) as requested_commission_rate
    from decided
    cross join precedences
),

based as (
    select
        checked.*,
        first_reasons.exclusion_reason,
        cast(
            case
                when
                    checked.max_commission_rate is not null
                    and checked.requested_commission_rate
                    > checked.max_commission_rate
                    then checked.max_commission_rate
                else checked.requested_commission_rate
            end as {{ type_rate() }}
        ) as commission_rate,
        coalesce(
            checked.requested_commission_rate > checked.max_commission_rate,
            false
        ) as is_rate_capped
    from checked
    left join exclusion_reasons as first_reasons
        on checked.exclusion_precedence = first_reasons.precedence
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'based.invoice_line_id', "'|'", 'based.agreement_id'])) }}
            as commission_line_id,
        based.invoice_line_id,
        based.invoice_id,
        based.agreement_id,
        based.partner_id,
        based.program_code,
        based.customer_id,
        based.lead_id,
        based.document_type,
        based.is_credit_note,
        based.corrects_invoice_id,
        based.issued_on,
        based.invoice_recorded_at,
        based.product_code,
        based.product_family,
        based.charge_type,
        based.service_period_starts_on,
        based.service_period_ends_on,
        based.invoice_currency,
        based.net_amount as line_net_amount,
        based.is_after_original_term,
        based.original_contract_cap_amount,
        based.base_amount,
        based.exclusion_reason is null
        and based.base_amount <> based.net_amount as is_base_capped,
        cast(
            case
                when based.exclusion_reason is null then based.base_amount
                else 0
            end as {{ type_money_wide() }}
        ) as commissionable_amount,
        based.requested_commission_rate,
        based.commission_rate,
        based.is_rate_capped,
        cast(
            case
                when based.exclusion_reason is null
                    then based.base_amount * based.commission_rate
                else 0
            end as {{ type_money_wide() }}
        ) as commission_amount,
        based.attribution_reason,
        based.exclusion_reason,
        based.payout_currency,
        based.settlement_months,
        based.settlement_trigger,
        based.payout_due_months_after_period,
        based.payout_due_days_after_receipt
    from based
)

select * from final
