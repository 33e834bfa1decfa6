{#-
    What each partner agreement is paid per settlement period: the payable
    lines booked into the period (commission and late adjustments), rounded
    once to cents (half away from zero), plus the negative balance carried
    in from the previous period. A period whose net is negative pays 0 and
    carries the balance into the next period of the same agreement (which
    then has a row even without lines).

    Carried balance without recursion: with x = the periods' rounded nets and
    S = their running sum, the balance carried out is
    S - max(0, highest S so far) (≤ 0), and payout = x + carried in -
    carried out (≥ 0).
-#}
with lines as (
    select * from {{ ref('int_commission_lines_converted') }}
    where status = 'payable'
),

periods as (
    select * from {{ ref('int_settlement_periods_listed') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

terms as (
    select * from {{ ref('commission_terms') }}
),

as_of as (
    select * from {{ ref('int_as_of_dates_derived') }}
),

activity as (
    select
        lines.agreement_id,
        lines.settlement_period_start as period_start,
        max(lines.payout_currency) as payout_currency,
        sum(
            case
                when not lines.is_adjustment
                    then lines.commission_amount_payout_currency
                else 0
            end
        ) as commission_amount,
        sum(
            case
                when lines.is_adjustment
                    then lines.commission_amount_payout_currency
                else 0
            end
        ) as adjustment_amount,
        count(*) as line_count,
        max(lines.payable_on) as latest_payable_on
    from lines
    group by lines.agreement_id, lines.settlement_period_start
),

first_activity as (
    select
        activity.agreement_id,
        min(activity.period_start) as first_period_start,
        max(activity.period_start) as last_period_start
    from activity
    group by activity.agreement_id
),

agreement_periods as (
    select
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        agreements.payout_currency_override,
        periods.period_start,
        periods.period_end,
        periods.closed_at
    from first_activity
    inner join agreements
        on first_activity.agreement_id = agreements.agreement_id
    inner join periods
        on
            agreements.program_code = periods.program_code
            and first_activity.first_period_start <= periods.period_start
    cross join as_of
    where
        periods.period_start <= as_of.as_of_on
        or periods.period_start <= first_activity.last_period_start
),

netted as (
    select
        agreement_periods.*,
        activity.payout_currency as lines_payout_currency,
        coalesce(activity.commission_amount, 0) as commission_amount,
        coalesce(activity.adjustment_amount, 0) as adjustment_amount,
        coalesce(activity.line_count, 0) as line_count,
        activity.latest_payable_on,
        {{ round_money(
            'coalesce(activity.commission_amount, 0)'
            ~ ' + coalesce(activity.adjustment_amount, 0)') }}
            as period_net_amount
    from agreement_periods
    left join activity
        on
            agreement_periods.agreement_id = activity.agreement_id
            and agreement_periods.period_start = activity.period_start
),

running as (
    select
        netted.*,
        sum(netted.period_net_amount) over (
            partition by netted.agreement_id
            order by netted.period_start
            rows between unbounded preceding and current row
        ) as running_net_amount
    from netted
),

peaked as (
    select
        running.*,
        max(running.running_net_amount) over (
            partition by running.agreement_id
            order by running.period_start
            rows between unbounded preceding and current row
        ) as running_peak_amount
    from running
),

carried as (
    select
        peaked.*,
        peaked.running_net_amount - case
            when peaked.running_peak_amount > 0
                then peaked.running_peak_amount
            else 0
        end as carried_out_amount
    from peaked
),

balanced as (
    select
        carried.*,
        coalesce(
            lag(carried.carried_out_amount) over (
                partition by carried.agreement_id
                order by carried.period_start
            ),
            0
        ) as carried_in_amount
    from carried
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            'balanced.agreement_id', "'|'",
            'cast(balanced.period_start as ' ~ dbt.type_string() ~ ')'])) }}
            as payout_id,
        balanced.partner_id,
        balanced.agreement_id,
        balanced.program_code,
        balanced.period_start,
        balanced.period_end,
        coalesce(
            balanced.lines_payout_currency,
            balanced.payout_currency_override,
            terms.payout_currency
        ) as payout_currency,
        cast(balanced.commission_amount as {{ type_money_wide() }})
            as commission_amount,
        cast(balanced.adjustment_amount as {{ type_money_wide() }})
            as adjustment_amount,
        balanced.period_net_amount,
        cast(balanced.carried_in_amount as {{ type_money_cents() }})
            as carried_in_amount,
        cast(
            balanced.period_net_amount
            + balanced.carried_in_amount
            - balanced.carried_out_amount
            as {{ type_money_cents() }}
        ) as payout_amount,
        cast(balanced.carried_out_amount as {{ type_money_cents() }})
            as carried_out_amount,
        case
            when terms.payout_due_months_after_period is not null
                then {{ month_end(add_months(
                    'balanced.period_end',
                    'terms.payout_due_months_after_period')) }}
            else balanced.latest_payable_on
        end as payout_due_on,
        balanced.closed_at is not null as is_closed,
        balanced.closed_at,
        balanced.line_count
    from balanced
    left join terms
        on
            balanced.program_code = terms.program_code
            and {{ in_force('terms', 'balanced.period_start') }}
    where balanced.line_count > 0 or balanced.carried_in_amount < 0
)

select * from final
