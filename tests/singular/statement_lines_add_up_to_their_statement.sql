{#-
    A partner statement is its lines: its commission is the sum of the rows
    of its own period, its adjustments the sum of the other rows, its line
    count and customer count those of its rows. Returns the statements that
    disagree.
-#}
with statements as (
    select * from {{ ref('rpt_partner_statements') }}
),

statement_lines as (
    select * from {{ ref('fct_partner_statement_lines') }}
),

sums as (
    select
        statement_id,
        sum(
            case when not is_adjustment then commission_amount else 0 end
        ) as commission_amount,
        sum(
            case when is_adjustment then commission_amount else 0 end
        ) as adjustment_amount,
        sum(line_count) as line_count,
        count(
            distinct case when line_count > 0 then customer_id end
        ) as customer_count
    from statement_lines
    group by statement_id
)

select
    statements.statement_id,
    statements.commission_amount,
    sums.commission_amount as lines_commission_amount,
    statements.adjustment_amount,
    sums.adjustment_amount as lines_adjustment_amount
from statements
left join sums
    on statements.statement_id = sums.statement_id
where
    coalesce(sums.commission_amount, 0) <> statements.commission_amount
    or coalesce(sums.adjustment_amount, 0) <> statements.adjustment_amount
    or coalesce(sums.line_count, 0) <> statements.line_count
    or coalesce(sums.customer_count, 0) <> statements.customer_count
