{#-
    Custom schemas are used as given (`staging`, `intermediate`,
    `reference`) rather than prefixed with the target schema, so that BI
    tools read `marts.fct_partner_payouts` on every target. The public marts
    (custom schema `marts`) are written to the audit schema (var
    `audit_schema`, `marts_audit`): readers only see them in the published
    schema (var `published_schema`, `marts`) once the whole build passed
    (write-audit-publish, macros/publish.sql).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == var('published_schema', 'marts') -%}
        {{ var('audit_schema', 'marts_audit') }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
