{#-
    Every lead of a commission program, checked on its own (before it is
    compared with other leads), with the terms in force on its registration
    day:

    - the partner must hold an approved agreement in the program
      (otherwise `agreement_not_approved`);
    - the lead must be valid for the program (otherwise `no_valid_lead`):
      its status is one the program accepts (seed
      `commission_lead_statuses`), a decision maker was introduced where the
      program requires it (One Network), and the agreement was approved on
      or before the registration day where the program requires it
      (OpenNebula);
    - the agreement must not have ended before the lead was registered
      (otherwise `agreement_terminated`): a partner that left the program
      refers nobody any more, and a vendor termination's commission tail
      covers the customers referred before it, not new ones;
    - facts the attribution needs: whether the customer already had a service
      when the lead was registered (first contract start at or before the
      registration time), whether it is a self-referral (same company domain
      as the partner), and until when the lead is assigned to the partner
      (approval + `attribution_window_months`; open-ended when the program
      has no window).
-#}
with leads as (
    select * from {{ ref('stg_partner_crm__leads') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

original_contracts as (
    select * from {{ ref('int_original_contracts_identified') }}
),

programs as (
    select * from {{ ref('programs') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

lead_statuses as (
    select * from {{ ref('commission_lead_statuses') }}
),

commission_leads as (
    select
        leads.*,
        {{ timestamp_date('leads.registered_at') }} as registered_on
    from leads
    inner join programs
        on leads.program_code = programs.program_code
    where programs.rule_type in {{ commission_rule_types() }}
),

joined as (
    select
        commission_leads.lead_id,
        commission_leads.program_code,
        commission_leads.partner_id,
        agreements.agreement_id,
        commission_leads.customer_id,
        commission_leads.registered_at,
        commission_leads.registered_on,
        commission_leads.approved_at,
        commission_leads.lead_status,
        commission_leads.sales_account_owner,
        commission_leads.is_decision_maker_introduced,
        coalesce(agreements.is_approved, false) as is_agreement_approved,
        terms.program_code is not null as has_terms,
        lead_statuses.lead_status is not null as is_status_accepted,
        coalesce(terms.requires_decision_maker, false)
            as requires_decision_maker,
        coalesce(terms.requires_agreement_before_lead, false)
            as requires_agreement_before_lead,
        agreements.approved_on <= commission_leads.registered_on
            as is_agreement_approved_before_lead,
        coalesce(
            commission_leads.registered_on > agreements.terminated_on, false
        ) as is_registered_after_termination,
        terms.prior_customer_outcome,
        coalesce(terms.excludes_self_referral, false)
            as excludes_self_referral,
        terms.attribution_window_months,
        terms.deal_window_months,
        terms.commission_window_months,
        original_contracts.first_service_starts_on,
        coalesce(
            commission_leads.registered_at >= {{ date_as_timestamp(
                'original_contracts.first_service_starts_on') }},
            false
        ) as is_customer_before_lead,
        coalesce(
            customers.company_domain = agreements.partner_company_domain,
            false
        ) as is_self_referral
    from commission_leads
    left join agreements
        on
            commission_leads.partner_id = agreements.partner_id
            and commission_leads.program_code = agreements.program_code
    left join customers
        on commission_leads.customer_id = customers.customer_id
    left join original_contracts
        on commission_leads.customer_id = original_contracts.customer_id
    left join terms
        on
            commission_leads.program_code = terms.program_code
            and {{ in_force('terms', 'commission_leads.registered_on') }}
    left join lead_statuses
        on
            commission_leads.program_code = lead_statuses.program_code
            and commission_leads.lead_status = lead_statuses.lead_status
            and {{ in_force(
                'lead_statuses', 'commission_leads.registered_on') }}
),

validated as (
    select
        joined.*,
        case
            when not joined.is_agreement_approved
                then 'agreement_not_approved'
            when
                not joined.has_terms
                or not joined.is_status_accepted
                or (
                    joined.requires_decision_maker
                    and not coalesce(
                        joined.is_decision_maker_introduced, false
                    )
                )
                or (
                    joined.requires_agreement_before_lead
                    and not coalesce(
                        joined.is_agreement_approved_before_lead, false
                    )
                )
                then 'no_valid_lead'
            when joined.is_registered_after_termination
                then 'agreement_terminated'
        end as invalid_reason
    from joined
),

final as (
    select
        validated.*,
        validated.invalid_reason is null as is_valid_lead,
        coalesce(validated.approved_at, validated.registered_at)
            as assigned_at,
        case
            when validated.attribution_window_months is not null
                then {{ date_as_timestamp(add_months(
                    timestamp_date(
                        'coalesce(validated.approved_at,'
                        ~ ' validated.registered_at)'),
                    'validated.attribution_window_months')) }}
        end as assigned_until
    from validated
)

select * from final
