{{ config(materialized="table") }}

{#-
    Attribution: which lead wins a customer in a program, and why every
    other lead does not. The rules: doc blocks `rule_attribution` (earliest
    valid lead, conflicts, One Network's window, self-referrals never win),
    `rule_prior_customer` and `rule_exclusion_order` (the reasons' order is
    the seed's). A valid lead conflicts with an earlier contending lead
    still assigned when it was registered (compared with every earlier
    contending lead, not only with winners, so no recursion is needed);
    `conflict_with_lead_id` names the earliest such lead.
-#}
with leads as (
    select * from {{ ref('int_leads_validated') }}
),

{#
    The leads that can win a customer: valid, and not a self-referral where
    the program excludes those (a lead that can never earn because of who
    registered it does not block the next partner's lead).
#}
contending_leads as (
    select * from leads
    where
        is_valid_lead
        and not (excludes_self_referral and is_self_referral)
),

exclusion_reasons as (
    select * from {{ ref('exclusion_reasons') }}
),

precedences as (
    {{ exclusion_precedences([
        'agreement_not_approved', 'no_valid_lead', 'lead_conflict',
        'existing_customer', 'self_referral', 'lead_after_customer_start',
        'agreement_terminated']) }}
),

earlier_assigned as (
    select
        leads.lead_id,
        earlier.lead_id as earlier_lead_id,
        row_number() over (
            partition by leads.lead_id
            order by earlier.registered_at, earlier.lead_id
        ) as earlier_rank
    from leads
    inner join contending_leads as earlier
        on
            leads.customer_id = earlier.customer_id
            and leads.program_code = earlier.program_code
            and leads.lead_id <> earlier.lead_id
            and (
                leads.registered_at > earlier.registered_at
                or (
                    leads.registered_at = earlier.registered_at
                    and leads.lead_id > earlier.lead_id
                )
            )
            and (
                earlier.assigned_until is null
                or (
                    leads.registered_at < earlier.assigned_until
                    and leads.partner_id <> earlier.partner_id
                )
            )
),

own_earlier_customer as (
    select distinct leads.lead_id
    from leads
    inner join contending_leads as earlier
        on
            leads.customer_id = earlier.customer_id
            and leads.program_code = earlier.program_code
            and leads.partner_id = earlier.partner_id
            and leads.lead_id <> earlier.lead_id
            and leads.registered_at > earlier.registered_at
            and {{ date_as_timestamp('leads.first_service_starts_on') }}
            > earlier.registered_at
),

flagged as (
    select
        leads.*,
        earlier_assigned.earlier_lead_id as earlier_assigned_lead_id,
        earlier_assigned.earlier_lead_id is not null
        or coalesce(
            leads.prior_customer_outcome = 'lead_conflict'
            and leads.is_customer_before_lead
            and own_earlier_customer.lead_id is null,
            false
        ) as is_conflict
    from leads
    left join earlier_assigned
        on
            leads.lead_id = earlier_assigned.lead_id
            and earlier_assigned.earlier_rank = 1
    left join own_earlier_customer
        on leads.lead_id = own_earlier_customer.lead_id
),

{# Each reason's condition; the order is the seed's (rule_exclusion_order). #}
reasoned as (
    select
        flagged.*,
        flagged.is_valid_lead
        and not flagged.is_conflict
        and not (flagged.excludes_self_referral and flagged.is_self_referral)
            as is_winning_lead,
        {{ first_exclusion([
            ['precedences.agreement_not_approved',
                "flagged.invalid_reason = 'agreement_not_approved'"],
            ['precedences.no_valid_lead',
                "flagged.invalid_reason = 'no_valid_lead'"],
            ['precedences.lead_conflict', 'flagged.is_conflict'],
            ['precedences.existing_customer',
                "flagged.prior_customer_outcome = 'existing_customer'"
                ~ ' and flagged.is_customer_before_lead'],
            ['precedences.self_referral',
                'flagged.excludes_self_referral and flagged.is_self_referral'],
            ['precedences.lead_after_customer_start',
                "flagged.prior_customer_outcome = 'lead_after_customer_start'"
                ~ ' and flagged.is_customer_before_lead'],
            ['precedences.agreement_terminated',
                "flagged.invalid_reason = 'agreement_terminated'"],
        ]) }} as attribution_precedence
    from flagged
    cross join precedences
),

named as (
    select
        reasoned.*,
        attribution_reasons.exclusion_reason as attribution_reason
    from reasoned
    left join exclusion_reasons as attribution_reasons
        on reasoned.attribution_precedence = attribution_reasons.precedence
),

final as (
    select
        named.*,
        case
            when named.attribution_reason = 'lead_conflict'
                then named.earlier_assigned_lead_id
        end as conflict_with_lead_id
    from named
)

select * from final
