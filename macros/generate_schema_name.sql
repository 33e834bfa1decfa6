{#-
    Custom schemas are used as given (`staging`, `intermediate`,
    `reference`) rather than prefixed with the target schema, so that BI
    tools read `marts.fct_partner_payouts` on every target. The public marts
    (custom schema `marts`) are written to the audit schema (var
    `audit_schema`, `marts_audit`): readers only see them in the published
    schema (var `published_schema`, `marts`) once the whole build passed
    (write-audit-publish, macros/publish.sql).

    Parsed for the semantic layer (var `semantic_layer`, `make metrics`),
    the public marts resolve to the published schema instead: that is what
    MetricFlow reads (macros/semantic_layer.sql refuses to build with it).
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif custom_schema_name | trim == var('published_schema', 'marts') -%}
        {%- if var('semantic_layer', false) -%}
            {{ var('published_schema', 'marts') }}
        {%- else -%}
            {{ var('audit_schema', 'marts_audit') }}
        {%- endif -%}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
