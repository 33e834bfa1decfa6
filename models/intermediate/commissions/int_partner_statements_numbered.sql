{{ config(materialized="table") }}

{#-
    One partner statement per payout row (doc block
    `rule_partner_statements`): who, which program and period, the payout
    and its balances, final or draft, and its number. Numbers are
    `<prefix>-<period year>-<sequence>` (seed `programs.statement_prefix`),
    numbered per program and year in the order of (period_start,
    agreement_id). A final statement keeps the number (and every value) it
    was published with (int_partner_statements_published); the others are
    numbered after the last final number of their program and year, so a
    rebuild never renumbers a statement already sent.
-#}
with payouts as (
    select * from {{ ref('int_partner_payouts_balanced') }}
),

statement_lines as (
    select * from {{ ref('int_partner_statement_lines_itemised') }}
),

agreements as (
    select * from {{ ref('int_partner_agreements_joined') }}
),

programs as (
    select * from {{ ref('programs') }}
),

published as (
    select * from {{ ref('int_partner_statements_published') }}
),

customers_paid as (
    select
        statement_lines.statement_id,
        count(distinct statement_lines.customer_id) as customer_count
    from statement_lines
    where statement_lines.line_count > 0
    group by statement_lines.statement_id
),

last_final_numbers as (
    select
        published.program_code,
        extract(year from published.period_start) as period_year,
        max(published.statement_sequence) as last_sequence
    from published
    group by
        published.program_code,
        extract(year from published.period_start)
),

drafted as (
    select
        payouts.*,
        programs.program_name,
        programs.vendor_name,
        programs.statement_prefix,
        agreements.partner_name,
        extract(year from payouts.period_start) as period_year,
        coalesce(customers_paid.customer_count, 0) as customer_count
    from payouts
    inner join programs
        on payouts.program_code = programs.program_code
    left join agreements
        on payouts.agreement_id = agreements.agreement_id
    left join customers_paid
        on payouts.payout_id = customers_paid.statement_id
    left join published
        on payouts.payout_id = published.statement_id
    where published.statement_id is null
),

numbered as (
    select
        drafted.*,
        coalesce(last_final_numbers.last_sequence, 0) + row_number() over (
            partition by drafted.program_code, drafted.period_year
            order by drafted.period_start, drafted.agreement_id
        ) as statement_sequence
    from drafted
    left join last_final_numbers
        on
            drafted.program_code = last_final_numbers.program_code
            and drafted.period_year = last_final_numbers.period_year
),

computed as (
    select
        numbered.payout_id as statement_id,
        {{ dbt.concat([
            'numbered.statement_prefix', "'-'",
            'cast(numbered.period_year as ' ~ dbt.type_string() ~ ')', "'-'",
            "lpad(cast(numbered.statement_sequence as "
            ~ dbt.type_string() ~ "), 5, '0')"]) }} as statement_number,
        cast(
            numbered.statement_sequence as {{ dbt.type_bigint() }}
        ) as statement_sequence,
        numbered.is_closed as is_final,
        numbered.partner_id,
        numbered.partner_name,
        numbered.agreement_id,
        numbered.program_code,
        numbered.program_name,
        numbered.vendor_name,
        numbered.period_start,
        numbered.period_end,
        numbered.payout_currency,
        numbered.commission_amount,
        numbered.adjustment_amount,
        numbered.period_net_amount,
        numbered.carried_in_amount,
        numbered.payout_amount,
        numbered.carried_out_amount,
        numbered.payout_due_on,
        cast(
            numbered.customer_count as {{ dbt.type_bigint() }}
        ) as customer_count,
        numbered.line_count
    from numbered
),

{# In the mart's column order (published rows come in it). #}
final as (
    select * from published
    union all
    select * from computed
)

select * from final
