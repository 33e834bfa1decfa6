{#-
    Every column of the model whose declaration carries a `not_null`
    constraint holds no null, checked in one scan of the model. Returns one
    row per such column with nulls: its name and how many rows are null.
-#}
{% test not_null_columns(model) %}
{#- The declared columns, from the manifest (known once dbt executes). -#}
{%- set columns = [] -%}
{%- if execute -%}
    {%- set nodes = graph.nodes.values()
        | selectattr('resource_type', 'in', ['model', 'seed', 'snapshot'])
        | selectattr('schema', 'equalto', model.schema)
        | selectattr('alias', 'equalto', model.identifier) | list -%}
    {%- for node in nodes -%}
        {%- for column in node.columns.values() -%}
            {%- if column.constraints | selectattr('type', 'equalto', 'not_null')
                | list | length > 0 -%}
                {%- do columns.append(column.name) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            'not_null_columns on ' ~ model.identifier ~ ': no column of the model '
            ~ 'declares constraints: [{type: not_null}] in its YAML; declare one '
            ~ 'or remove the test.') }}
    {%- endif -%}
{%- else -%}
    {%- do columns.append('parse_time_placeholder') -%}
{%- endif %}

with null_counts as (
    select
    {%- for column in columns %}
        count(case when {{ column }} is null then 1 end) as nulls_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}
),

declared as (
    {%- for column in columns %}
    select {{ loop.index }} as position, '{{ column }}' as column_name
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

per_column as (
    select
        declared.column_name,
        case declared.position
        {%- for column in columns %}
            when {{ loop.index }} then null_counts.nulls_{{ loop.index }}
        {%- endfor %}
        end as null_rows
    from null_counts
    cross join declared
)

select column_name, null_rows
from per_column
where null_rows > 0

{% endtest %}
