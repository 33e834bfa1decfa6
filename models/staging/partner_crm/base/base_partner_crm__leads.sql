{%- set raw_columns = contract_columns('partner_crm', 'leads', [
    'lead_id', 'partner_id', 'program_code', 'customer_id', 'registered_at',
    'status', 'approved_at', 'sales_account_owner',
    'decision_maker_introduced']) -%}

with source as (
    select * from {{ source('partner_crm', 'leads') }}
),

frame as (
    select * from {{ ref('base_billing__export_frames') }}
),

partners as (
    {{ parent_verdicts(ref('base_partner_crm__partners'), 'partner_id') }}
),

customers as (
    {{ parent_verdicts(ref('base_billing__customers'), 'customer_id') }}
),

programs as (
    select * from {{ ref('programs') }}
),

code_values as (
    select * from {{ ref('code_values') }}
),

cleaned as (
    select
        {{ clean_text('lead_id') }} as lead_id,
        {{ clean_text('partner_id') }} as partner_id,
        {{ clean_code('program_code') }} as program_code,
        {{ clean_text('customer_id') }} as customer_id,
        {{ parsed_column('registered_at', 'timestamp') }},
        {{ clean_code('status') }} as lead_status,
        {{ parsed_column('approved_at', 'timestamp') }},
        {{ clean_text('sales_account_owner') }} as sales_account_owner,
        {{ parsed_column(
            'decision_maker_introduced', 'boolean',
            'is_decision_maker_introduced') }},
        {{ raw_columns_kept(raw_columns) }}
    from source
),

keyed as (
    select
        cleaned.*,
        {{ key_duplicate_columns('cleaned.lead_id') }}
    from cleaned
),

checked as (
    select
        keyed.*,
        {{ first_failed_check(
            check_primary_key(['lead_id'], 'keyed')
            + check_required('partner_id', 'keyed')
            + check_required('program_code', 'keyed')
            + check_required('customer_id', 'keyed')
            + check_value(
                'registered_at', 'timestamp', 'keyed', required=true,
                plausible='event')
            + check_required('lead_status', 'keyed', raw='status')
            + check_value(
                'approved_at', 'timestamp', 'keyed',
                plausible='event')
            + check_value(
                'is_decision_maker_introduced', 'boolean', 'keyed',
                raw='decision_maker_introduced')
            + check_code('program_code', 'keyed', 'programs', 'program_code')
            + check_code(
                'lead_status', 'keyed', 'lead_statuses', raw='status')
            + check_reference('partner_id', 'keyed', 'partners')
            + check_reference('customer_id', 'keyed', 'customers')
        ) }}
    from keyed
    cross join frame
    left join partners
        on keyed.partner_id = partners.parent_key
    left join customers
        on keyed.customer_id = customers.parent_key
    left join programs
        on keyed.program_code = programs.program_code
    left join code_values as lead_statuses
        on
            lead_statuses.code_set = 'lead_status'
            and keyed.lead_status = lead_statuses.code_value
),

final as (
    select
        checked.lead_id,
        checked.partner_id,
        checked.program_code,
        checked.customer_id,
        checked.registered_at,
        checked.lead_status,
        checked.approved_at,
        checked.sales_account_owner,
        checked.is_decision_maker_introduced,
        {{ quarantine_columns('checked', ['checked.lead_id'], raw_columns) }}
    from checked
)

select * from final
