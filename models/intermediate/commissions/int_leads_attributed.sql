{{ config(materialized="table") }}

{#-
    Attribution: which lead wins a customer in a program, and why every
    other lead does not (programs.md, "Attribution" and One Network's
    "conflicts").

    A valid lead is in conflict (`lead_conflict`) when an earlier-registered
    valid lead for the same customer and program (of any partner) was still
    assigned when it was registered. Without an attribution window (NWS,
    OpenNebula, NetSource) a lead is assigned for good, so the earliest valid
    lead wins and every other lead is a conflict; with one (One Network: 12
    months from approval) a lead registered after the earlier lead's
    assignment ended can win again. `conflict_with_lead_id` names the
    earliest such earlier lead. The comparison is with every earlier valid
    lead, not only with winners, so it needs no recursion.

    Where the program says a lead for an existing customer is a conflict
    (`prior_customer_outcome = 'lead_conflict'`, One Network), a lead
    registered after the customer's first service start is a conflict too,
    unless the same partner had a valid lead for the customer before that
    start: the partner re-registering its own customer for a later deal
    (One Network: "unless the partner registers a new lead that is approved").

    `attribution_reason` is the first reason, in programs.md's order, why the
    customer does not earn the lead's partner anything: agreement_not_approved,
    no_valid_lead, lead_conflict, existing_customer, self_referral,
    lead_after_customer_start; null when the customer is attributed.
-#}
with leads as (
    select * from {{ ref('int_leads_validated') }}
),

valid_leads as (
    select * from leads
    where is_valid_lead
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
    inner join valid_leads as earlier
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
    inner join valid_leads as earlier
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

reasoned as (
    select
        flagged.*,
        flagged.is_valid_lead and not flagged.is_conflict as is_winning_lead,
        case
            when
                flagged.invalid_reason is not null
                and flagged.invalid_reason <> 'agreement_terminated'
                then flagged.invalid_reason
            when flagged.is_conflict
                then 'lead_conflict'
            when
                flagged.prior_customer_outcome = 'existing_customer'
                and flagged.is_customer_before_lead
                then 'existing_customer'
            when flagged.excludes_self_referral and flagged.is_self_referral
                then 'self_referral'
            when
                flagged.prior_customer_outcome = 'lead_after_customer_start'
                and flagged.is_customer_before_lead
                then 'lead_after_customer_start'
            -- A lead registered after its agreement ended (D26d) comes
            -- after the customer reasons, in programs.md's order.
            when flagged.invalid_reason is not null
                then flagged.invalid_reason
        end as attribution_reason
    from flagged
),

final as (
    select
        reasoned.*,
        case
            when reasoned.attribution_reason = 'lead_conflict'
                then reasoned.earlier_assigned_lead_id
        end as conflict_with_lead_id
    from reasoned
)

select * from final
