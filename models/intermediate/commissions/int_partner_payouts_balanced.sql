{{ config(materialized="table") }}

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
    carried out (≥ 0). S starts at the balance carried out of the agreement's
    last final period before (0 if none).

    Final periods (published as closed by an earlier build) keep their rows
    exactly as published (int_partner_payouts_published); doc block
    `rule_closed_periods`.
-#}
with lines as (
    select * from {{ ref('int_commission_lines_corrected') }}
    where status = 'payable'
),

published as (
    select * from {{ ref('int_partner_payouts_published') }}
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

periods_seen as (
    select
        activity.agreement_id,
        activity.period_start
    from activity
    union all
    select
        published.agreement_id,
        published.period_start
    from published
),

first_activity as (
    select
        periods_seen.agreement_id,
        min(periods_seen.period_start) as first_period_start,
        max(periods_seen.period_start) as last_period_start
    from periods_seen
    group by periods_seen.agreement_id
),

agreement_periods as (
    select
        agreements.agreement_id,
        agreements.partner_id,
        agreements.program_code,
        agreements.payout_currency_override,
        periods.period_start,
        periods.period_end,
        periods.closed_at,
        periods.is_final
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

{# The open periods, each with the last final row of its agreement before. #}
seeded as (
    select
        netted.*,
        published.period_start as seed_period_start,
        coalesce(published.carried_out_amount, 0) as seed_amount,
        row_number() over (
            partition by netted.agreement_id, netted.period_start
            order by published.period_start desc
        ) as seed_rank
    from netted
    left join published
        on
            netted.agreement_id = published.agreement_id
            and netted.period_start > published.period_start
    where not netted.is_final
),

running as (
    select
        seeded.*,
        seeded.seed_amount + sum(seeded.period_net_amount) over (
            partition by seeded.agreement_id, seeded.seed_period_start
            order by seeded.period_start
            rows between unbounded preceding and current row
        ) as running_net_amount
    from seeded
    where seeded.seed_rank = 1
),

peaked as (
    select
        running.*,
        max(running.running_net_amount) over (
            partition by running.agreement_id, running.seed_period_start
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
                partition by carried.agreement_id, carried.seed_period_start
                order by carried.period_start
            ),
            carried.seed_amount
        ) as carried_in_amount
    from carried
),

computed as (
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
),

{# In the mart's column order (published rows come in it). #}
final as (
    select * from published
    union all
    select * from computed
)

select * from final
