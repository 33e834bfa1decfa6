{%- set raw_columns = contract_columns('partner_crm', 'partner_agreements', [
    'agreement_id', 'partner_id', 'program_code', 'status', 'signed_on',
    'approved_on', 'terminated_on', 'terminated_by',
    'commission_rate_override', 'payout_currency',
    'post_payment_approved_on']) -%}

with source as (
    select * from {{ source('partner_crm', 'partner_agreements') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

partners as (
    {{ parent_verdicts(ref('base_partner_crm__partners'), 'partner_id') }}
),

programs as (
    select * from {{ ref('programs') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

iso_currencies as (
    select * from {{ ref('iso_4217_currencies') }}
),

fx_coverage as (
    {{ fx_coverage() }}
),

cleaned as (
    select
        {{ clean_text('agreement_id') }} as agreement_id,
        {{ clean_text('partner_id') }} as partner_id,
        {{ clean_code('program_code') }} as program_code,
        {{ clean_code('status') }} as agreement_status,
        {{ parsed_column('signed_on', 'date') }},
        {{ parsed_column('approved_on', 'date') }},
        {{ parsed_column('terminated_on', 'date') }},
        {{ clean_code('terminated_by') }} as terminated_by,
        {{ parsed_column('commission_rate_override', 'rate') }},
        {{ clean_iso_code('payout_currency') }} as payout_currency,
        {{ parsed_column('post_payment_approved_on', 'date') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.agreement_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['agreement_id'], 'keyed')
            + check_required('partner_id', 'keyed')
            + check_required('program_code', 'keyed')
            + check_required('agreement_status', 'keyed', raw='status')
            + check_value('signed_on', 'date', 'keyed', plausible='event')
            + check_value('approved_on', 'date', 'keyed', plausible='event')
            + check_value('terminated_on', 'date', 'keyed', plausible='planned')
            + [[
                "keyed.agreement_status = 'terminated'"
                ~ ' and keyed.terminated_on_text is null',
                'missing_required_value', 'terminated_on'
            ], [
                "keyed.agreement_status = 'terminated'"
                ~ ' and keyed.terminated_by is null',
                'missing_required_value', 'terminated_by'
            ]]
            + check_value('commission_rate_override', 'rate', 'keyed')
            + check_value(
                'post_payment_approved_on', 'date', 'keyed',
                plausible='event')
            + check_code('program_code', 'keyed', 'programs', 'program_code')
            + check_code(
                'agreement_status', 'keyed', 'agreement_statuses',
                raw='status')
            + check_code('terminated_by', 'keyed', 'termination_parties')
            + check_code(
                'payout_currency', 'keyed', 'iso_currencies', 'currency_code')
            + check_fraction('commission_rate_override', 'keyed')
            + check_reference('partner_id', 'keyed', 'partners')
            + check_currency_has_rate(
                'payout_currency', 'keyed', 'fx_coverage'),
            'own_reason', 'own_column'
        ) }}
    from keyed
    cross join frame
    left join partners
        on keyed.partner_id = partners.parent_key
    left join programs
        on keyed.program_code = programs.program_code
    left join code_values as agreement_statuses
        on
            agreement_statuses.code_set = 'agreement_status'
            and keyed.agreement_status = agreement_statuses.code_value
    left join code_values as termination_parties
        on
            termination_parties.code_set = 'termination_party'
            and keyed.terminated_by = termination_parties.code_value
    left join iso_currencies
        on keyed.payout_currency = iso_currencies.currency_code
    left join fx_coverage
        on keyed.payout_currency = fx_coverage.currency
),

{#
    Second pass: the contract allows one agreement per partner and program.
    Two trusted agreements of one partner in one program are both
    quarantined (a row quarantined for its own reason does not count).
#}
counted as (
    select
        checked.*,
        count(*) over (
            partition by
                checked.partner_id,
                checked.program_code,
                checked.own_reason is null
        ) as agreements_in_program
    from checked
),

rechecked as (
    select
        counted.*,
        case
            when counted.own_reason is not null then counted.own_reason
            when counted.agreements_in_program > 1
                then 'conflicting_duplicate_key'
        end as rejection_reason,
        case
            when counted.own_reason is not null then counted.own_column
            when counted.agreements_in_program > 1
                then 'partner_id|program_code'
        end as rejected_column
    from counted
),

final as (
    select
        rechecked.agreement_id,
        rechecked.partner_id,
        rechecked.program_code,
        rechecked.agreement_status,
        rechecked.signed_on,
        rechecked.approved_on,
        rechecked.terminated_on,
        rechecked.terminated_by,
        rechecked.commission_rate_override,
        rechecked.payout_currency,
        rechecked.post_payment_approved_on,
        {{ quarantine_columns(
            'rechecked', ['rechecked.agreement_id'], raw_columns) }}
    from rechecked
)

select * from final
