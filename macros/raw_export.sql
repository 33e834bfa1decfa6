{#-
    The raw export: check it against the raw contract and expose it to the
    sources. Called from `on-run-start`, so a missing file or column stops the
    build before any model runs.

    The contract (tables and their columns) is read from the sources' yml
    (`models/staging/*/_*__sources.yml`): it is written down once.
-#}

{% macro raw_contract_tables() %}
    {#- [{'source': 'billing', 'table': 'invoices', 'columns': [...]}, ...] -#}
    {%- set tables = [] -%}
    {%- for node in graph.get('sources', {}).values()
            | selectattr('package_name', 'equalto', project_name)
            | sort(attribute='name') -%}
        {%- do tables.append({
            'source': node.source_name,
            'table': node.name,
            'columns': node.columns.keys() | list,
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{#-
    The raw columns a base model declares, checked against the contract (the
    sources' yml) whenever the graph is available (it is not inside unit
    tests): a column added to the contract must be added to the model too.
-#}
{% macro contract_columns(source_name, table_name, declared) %}
    {%- if execute -%}
        {%- for t in partner_payouts.raw_contract_tables() -%}
            {%- if t.source == source_name and t.table == table_name
                    and t.columns != declared -%}
                {{ exceptions.raise_compiler_error(
                    "Columns declared for " ~ source_name ~ "." ~ table_name ~ " ("
                    ~ declared | join(', ') ~ ") differ from the raw contract ("
                    ~ t.columns | join(', ') ~ ")") }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(declared) }}
{% endmacro %}


{% macro register_raw_export() %}
    {{ return(adapter.dispatch('register_raw_export', 'partner_payouts')()) }}
{% endmacro %}


{#- Engines that cannot read files: the loader filled the raw schema; check it. -#}
{% macro default__register_raw_export() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- for t in partner_payouts.raw_contract_tables() -%}
        {%- set relation = adapter.get_relation(
            database=target.database,
            schema=var('raw_schema', 'raw'),
            identifier=t.table) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error(
                "Raw table missing: " ~ var('raw_schema', 'raw') ~ "." ~ t.table
                ~ " (raw contract table `" ~ t.table ~ "`). Load the export first.") }}
        {%- endif -%}
        {%- set present = adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list -%}
        {%- set missing = t.columns | reject('in', present) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ relation ~ " lacks contract column(s): "
                ~ missing | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#-
    DuckDB reads the files directly: for every contract table, find
    `<table>.csv` or `<table>.parquet` in $PAYOUTS_RAW_DIR, check the header
    against the contract and (re)create `raw.<table>` as a view that selects
    exactly the contract columns, as text. Extra columns are ignored; typing
    happens in staging so that a bad value quarantines a row instead of
    failing the build.
-#}
{% macro duckdb__register_raw_export() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = env_var('PAYOUTS_RAW_DIR', 'data/demo') | trim -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') else raw_dir -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- set statements = [] -%}
    {%- for t in partner_payouts.raw_contract_tables() -%}
        {%- set found = [] -%}
        {%- for ext in ['csv', 'parquet'] -%}
            {%- set path = raw_dir ~ '/' ~ t.table ~ '.' ~ ext -%}
            {%- set hits = run_query(
                "select count(*) from glob(" ~ partner_payouts.sql_string(path) ~ ")"
            ).columns[0].values()[0] -%}
            {%- if hits > 0 -%}{%- do found.append((ext, path)) -%}{%- endif -%}
        {%- endfor -%}
        {%- if found | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw file missing: expected " ~ raw_dir ~ "/" ~ t.table ~ ".csv or "
                ~ raw_dir ~ "/" ~ t.table ~ ".parquet (raw contract table `"
                ~ t.table ~ "`; raw folder from PAYOUTS_RAW_DIR).") }}
        {%- elif found | length > 1 -%}
            {{ exceptions.raise_compiler_error(
                "Raw folder " ~ raw_dir ~ " holds both " ~ t.table ~ ".csv and "
                ~ t.table ~ ".parquet: keep one of them.") }}
        {%- endif -%}
        {%- set ext, path = found[0] -%}
        {%- set reader = partner_payouts.duckdb_raw_reader(ext, path) -%}
        {%- set header = run_query("describe select * from " ~ reader) -%}
        {%- set by_lower = {} -%}
        {%- for name in header.columns[0].values() -%}
            {%- do by_lower.update({name | lower | trim: name}) -%}
        {%- endfor -%}
        {%- set missing = t.columns | reject('in', by_lower) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ path ~ " lacks contract column(s): "
                ~ missing | join(', ') ~ " (raw contract table `" ~ t.table ~ "`).") }}
        {%- endif -%}
        {%- set projections = [] -%}
        {%- for column in t.columns -%}
            {%- do projections.append(
                'cast(' ~ adapter.quote(by_lower[column]) ~ ' as varchar) as '
                ~ adapter.quote(column)) -%}
        {%- endfor -%}
        {%- do statements.append(
            'create or replace view ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(t.table)
            ~ ' as select ' ~ projections | join(', ') ~ ' from ' ~ reader) -%}
    {%- endfor -%}
    {%- do run_query('create schema if not exists ' ~ adapter.quote(schema)) -%}
    {%- for statement in statements -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {{ log('Raw export registered from ' ~ raw_dir ~ ' (' ~ statements | length
        ~ ' tables)', info=true) }}
    {{ return('') }}
{% endmacro %}


{% macro duckdb_raw_reader(ext, path) %}
    {%- if ext == 'csv' -%}
        {{ return("read_csv(" ~ partner_payouts.sql_string(path)
            ~ ", header = true, delim = ',', quote = '\"', escape = '\"'"
            ~ ", all_varchar = true)") }}
    {%- else -%}
        {{ return("read_parquet(" ~ partner_payouts.sql_string(path) ~ ")") }}
    {%- endif -%}
{% endmacro %}


{#- A Python string as a SQL string literal. -#}
{% macro sql_string(value) %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}
