{#-
    Every seeding unit (contract with `order_type = 'seeding'`) of a
    reseller's account, with its allowance (doc block
    `rule_reseller_seeding`; seed `reseller_seeding_allowances` in force on
    its `starts_on`): when its free period ends, and whether it was over the
    limit of units running at the same time when it started.
-#}
with contracts as (
    select * from {{ ref('stg_billing__contracts') }}
),

customers as (
    select * from {{ ref('stg_billing__customers') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

allowances as (
    select * from {{ ref('reseller_seeding_allowances') }}
),

units as (
    select
        contracts.contract_id,
        contracts.customer_id,
        customers.reseller_partner_id as partner_id,
        agreements.program_code,
        contracts.starts_on,
        allowances.max_running_units,
        allowances.allowance_months,
        {{ add_months('contracts.starts_on', 'allowances.allowance_months') }}
            as allowance_ends_on,
        {{ add_days('contracts.ends_on', 1) }} as stops_on,
        contracts.cancelled_on
    from contracts
    inner join customers
        on contracts.customer_id = customers.customer_id
    left join agreements
        on
            customers.reseller_partner_id = agreements.partner_id
            and agreements.rule_type = 'reseller_discount'
    left join allowances
        on
            agreements.program_code = allowances.program_code
            and {{ in_force('allowances', 'contracts.starts_on') }}
    where contracts.order_type = 'seeding'
),

{# A unit runs from its start to the end of its allowance, or earlier stop. #}
windowed as (
    select
        units.*,
        least(
            units.allowance_ends_on,
            coalesce(units.stops_on, units.allowance_ends_on),
            coalesce(units.cancelled_on, units.allowance_ends_on)
        ) as running_until
    from units
),

earlier_running as (
    select
        windowed.contract_id,
        count(earlier.contract_id) as earlier_running_units
    from windowed
    left join windowed as earlier
        on
            windowed.partner_id = earlier.partner_id
            and (
                windowed.starts_on > earlier.starts_on
                or (
                    windowed.starts_on = earlier.starts_on
                    and windowed.contract_id > earlier.contract_id
                )
            )
            and windowed.starts_on < earlier.running_until
    group by windowed.contract_id
),

final as (
    select
        windowed.contract_id,
        windowed.customer_id,
        windowed.partner_id,
        windowed.program_code,
        windowed.starts_on,
        windowed.allowance_ends_on,
        windowed.running_until,
        windowed.max_running_units,
        earlier_running.earlier_running_units,
        coalesce(
            earlier_running.earlier_running_units
            >= windowed.max_running_units,
            false
        ) as is_over_unit_limit
    from windowed
    inner join earlier_running
        on windowed.contract_id = earlier_running.contract_id
)

select * from final
