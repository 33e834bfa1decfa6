{#-
    The relation's columns have exactly these types (name → type, compared
    case-insensitively, spaces ignored): a contract check for models dbt
    cannot enforce a contract on (Python models). Fails for every column
    missing, extra, or of another type.
-#}
{% test columns_have_types(model, types) %}
    {%- set actual = {} -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}
        {%- do actual.update({column.name | lower:
            column.dtype | lower | replace(' ', '')}) -%}
    {%- endfor -%}
    {%- set problems = [] -%}
    {%- for name, kind in types.items() -%}
        {%- set expected = kind | lower | replace(' ', '') -%}
        {%- if name not in actual -%}
            {%- do problems.append((name, expected, 'missing')) -%}
        {%- elif actual[name] != expected -%}
            {%- do problems.append((name, expected, actual[name])) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name, kind in actual.items() -%}
        {%- if name not in types -%}
            {%- do problems.append((name, 'none', kind)) -%}
        {%- endif -%}
    {%- endfor %}

    {% if problems -%}
        {%- for name, expected, found in problems %}
    select
        '{{ name }}' as column_name,
        '{{ expected }}' as expected_type,
        '{{ found }}' as actual_type
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as column_name,
        cast(null as {{ dbt.type_string() }}) as expected_type,
        cast(null as {{ dbt.type_string() }}) as actual_type
    where 1 = 0
    {%- endif %}

{% endtest %}
