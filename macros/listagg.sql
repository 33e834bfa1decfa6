{#-
    Spark: dbt's `listagg` ignores `order by` there; here the values are
    sorted (only `order by <measure>` is supported, which is all the project
    uses).
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and order_by_clause | trim | lower != 'order by ' ~ measure | lower -%}
        {{ exceptions.raise_compiler_error(
            'listagg on Spark sorts by the measure only, not: ' ~ order_by_clause) }}
    {%- endif -%}
    {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- set collected = 'array_sort(' ~ collected ~ ')' if order_by_clause else collected -%}
    {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' if limit_num else collected -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
