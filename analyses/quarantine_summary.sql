-- What was quarantined in the last build, per raw table and reason, with one
-- example key each: the first thing to read after a build on a new export.
-- Compile with `dbt compile -s quarantine_summary` and run the SQL in
-- target/compiled/.

with rejections as (
    select * from {{ ref('rpt_data_quality_rejections') }}
),

reasons as (
    select * from {{ ref('rejection_reasons') }}
),

summary as (
    select
        rejections.source_table,
        rejections.reason,
        count(*) as quarantined_rows,
        min(rejections.record_key) as example_key,
        min(rejections.rejected_column) as example_column
    from rejections
    group by rejections.source_table, rejections.reason
)

select
    summary.source_table,
    summary.reason,
    summary.quarantined_rows,
    summary.example_key,
    summary.example_column,
    reasons.description
from summary
left join reasons
    on summary.reason = reasons.reason
order by summary.source_table asc, summary.quarantined_rows desc
