{#-
    Effective-dated rows (`valid_from` inclusive, `valid_to` exclusive, null =
    open-ended) of the same `partition_by` key must not overlap, and each
    must end after it starts: on any day at most one row is in force.
    Fails for every overlapping pair and every empty interval.
-#}
{% test effective_dates_do_not_overlap(model, partition_by) %}

with rows_in_force as (
    select
        {{ partition_by | join(', ') }},
        valid_from,
        valid_to
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
            earlier.valid_from < later.valid_from
            and (earlier.valid_to is null or earlier.valid_to > later.valid_from)
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
