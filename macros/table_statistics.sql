{#-
    Post-hook of every model (dbt_project.yml): the planner's statistics of
    a table the build just wrote. PostgreSQL plans the next model's joins
    from them; before autovacuum gets to a fresh table it guesses, and at
    demo scale 10 it guessed nested loops that ran for over 13 minutes
    (DECISIONLOG D72). DuckDB and Spark need nothing.
-#}
{% macro refresh_table_statistics(relation) %}
    {{- return(adapter.dispatch('refresh_table_statistics', 'partner_payouts')(relation)) -}}
{% endmacro %}

{% macro default__refresh_table_statistics(relation) %}{{ return('') }}{% endmacro %}

{% macro postgres__refresh_table_statistics(relation) %}
    {%- if config.get('materialized') in ['table', 'incremental'] -%}
        {{ return('analyze ' ~ relation) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
