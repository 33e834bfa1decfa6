{{ config(materialized="table") }}

{#-
    The settlement periods whose statements were published as final by an
    earlier build (`publishing.closed_periods`, written when a build that
    closes them is published): from then on they are closed whatever a
    later export's payout runs say, and their published rows never change.
    Empty on a new warehouse.
-#}
with published as (
    {{ published_closed_periods() }}
),

final as (
    select
        {{ dbt.concat([
            'published.program_code', "'|'",
            'cast(published.period_start as ' ~ dbt.type_string() ~ ')']) }}
            as settlement_period_id,
        published.program_code,
        published.period_start,
        published.period_end,
        published.closed_at,
        published.published_at
    from published
)

select * from final
