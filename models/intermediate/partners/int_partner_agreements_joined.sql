{#-
    Partner agreements of the commission programs, with the partner's
    company domain (for self-referral) and the program's rule type.
    `is_approved` is programs.md's agreement rule: the agreement was accepted
    (status `approved` or `terminated`) and has an approval date.
-#}
with agreements as (
    select * from {{ ref('stg_partner_crm__partner_agreements') }}
),

partners as (
    select * from {{ ref('stg_partner_crm__partners') }}
),

programs as (
    select * from {{ ref('programs') }}
),

final as (
    select
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        programs.rule_type,
        partners.partner_name,
        partners.company_domain as partner_company_domain,
        agreements.agreement_status,
        agreements.signed_on,
        agreements.approved_on,
        agreements.terminated_on,
        agreements.terminated_by,
        agreements.commission_rate_override,
        agreements.payout_currency as payout_currency_override,
        agreements.post_payment_approved_on,
        coalesce(
            agreements.agreement_status in ('approved', 'terminated')
            and agreements.approved_on is not null,
            false
        ) as is_approved
    from agreements
    inner join partners
        on agreements.partner_id = partners.partner_id
    inner join programs
        on agreements.program_code = programs.program_code
)

select * from final
