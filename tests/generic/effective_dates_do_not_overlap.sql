{#-
    Effective-dated rows (`valid_from` inclusive, `valid_to` exclusive, null =
    open-ended) of the same `partition_by` key must not overlap, and each
    must end after it starts: on any day at most one row is in force.
    Fails for every overlapping pair (two rows starting on the same day
    included) and every empty interval. Rows are put in order of their
    start, so each pair is compared once: a row overlaps a later one when it
    has not ended by the later one's start.
-#}
{% test effective_dates_do_not_overlap(model, partition_by) %}

with rows_in_force as (
    select
        {{ partition_by | join(', ') }},
        valid_from,
        valid_to,
        row_number() over (
            partition by {{ partition_by | join(', ') }}
            order by valid_from, valid_to
        ) as row_order
    from {{ model }}
),

overlapping_rows as (
    select
        {% for column in partition_by -%}
            earlier.{{ column }},
        {% endfor -%}
        earlier.valid_from,
        later.valid_from as overlapping_valid_from
    from rows_in_force as earlier
    inner join rows_in_force as later
        on
            {% for column in partition_by -%}
                earlier.{{ column }} = later.{{ column }} and
            {% endfor -%}
            earlier.row_order < later.row_order
            and (
                earlier.valid_to is null
                or earlier.valid_to > later.valid_from
            )
),

empty_intervals as (
    select
        {% for column in partition_by -%}
            {{ column }},
        {% endfor -%}
        valid_from,
        valid_to as overlapping_valid_from
    from rows_in_force
    where valid_to is not null and valid_to <= valid_from
)

select * from overlapping_rows
union all
select * from empty_intervals

{% endtest %}
