{#-
    Post-hook of every model (dbt_project.yml): `analyze` of a table the
    build just wrote, on PostgreSQL only. Why: DECISIONLOG D72.
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
