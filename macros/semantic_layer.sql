{#-
    The semantic layer reads the published marts (README, "Metrics
    (semantic layer)"; DECISIONLOG D65). `dbt parse --vars
    '{semantic_layer: true}'` enables the semantic models and metrics
    (models/marts/_semantic_layer.yml) and resolves the public marts to the
    published schema (generate_schema_name), so the semantic manifest that
    `mf` reads points at `marts`. A run with that var would build the marts
    straight into `marts`, skipping the audit: this `on-run-start` hook
    stops it before anything is built.
-#}
{% macro refuse_semantic_layer_run() %}
    {%- if execute and var('semantic_layer', false) -%}
        {{ exceptions.raise_compiler_error(
            'The var semantic_layer is for `dbt parse` only (make metrics): '
            ~ 'with it the public marts resolve to the published schema `'
            ~ var('published_schema', 'marts') ~ '`, and `dbt '
            ~ flags.WHICH ~ '` would write them there unaudited. Run it '
            ~ 'without the var.') }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
