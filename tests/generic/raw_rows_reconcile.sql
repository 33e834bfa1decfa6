{#-
    Nothing is lost: every record of the raw file (every row read, and every
    malformed CSV line the reader skipped) is either staged (in `model`) or
    quarantined (in rpt_data_quality_rejections with source_table =
    `table_name`). Fails with the three counts when rows in != staged +
    quarantined.
-#}
{% test raw_rows_reconcile(model, source_name, table_name) %}

with raw_rows as (
    select
        (select count(*) from {{ source(source_name, table_name) }})
        + (
            select count(*) from {{ source('export', 'malformed_lines') }}
            where source_table = '{{ table_name }}'
        ) as row_count
),

staged_rows as (
    select count(*) as row_count from {{ model }}
),

quarantined_rows as (
    select count(*) as row_count
    from {{ ref('rpt_data_quality_rejections') }}
    where source_table = '{{ table_name }}'
)

select
    raw_rows.row_count as rows_in,
    staged_rows.row_count as rows_staged,
    quarantined_rows.row_count as rows_quarantined
from raw_rows
cross join staged_rows
cross join quarantined_rows
where raw_rows.row_count <> staged_rows.row_count + quarantined_rows.row_count

{% endtest %}
