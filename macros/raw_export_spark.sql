{#-
    Spark reads the export folder where it lies (a local folder, or the
    cluster's storage: `s3a://…`, `abfss://…`): the same contract checks and
    the same one-line messages as `duckdb__register_raw_export`, the same
    text in `raw.<table>` (README, "Run it on Spark"; DECISIONLOG D71).
    - The folder is listed through an external `binaryFile` table (a folder
      that does not exist lists as empty, so the check can say so itself).
    - CSV: the file is an external `text` table read whole, split into its
      physical lines and cut into records and fields by
      `spark_raw_csv_records`: RFC 4180 as DuckDB's reader applies it (a
      quoted field may hold commas, doubled quotes and line breaks; blank
      lines are skipped), malformed lines to `raw.malformed_lines` with the
      same line numbers and reasons.
    - Parquet: an external `parquet` table, and a view of the contract
      columns as the same text as on DuckDB (`spark_raw_parquet_value`).
    The external tables only point at the files: dropping them never
    deletes an export.
-#}
{% macro spark__register_raw_export() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = env_var('PAYOUTS_RAW_DIR', 'data/demo') | trim -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') else raw_dir -%}
    {%- set location = partner_payouts.spark_location(raw_dir) -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- do run_query('drop table if exists ' ~ schema ~ '.export_listing') -%}
    {%- do run_query(
        'create table ' ~ schema ~ '.export_listing using binaryFile location '
        ~ partner_payouts.sql_string(location)) -%}
    {%- set names = [] -%}
    {%- for row in run_query(
            "select regexp_extract(path, '[^/]*$', 0) from " ~ schema
            ~ '.export_listing').rows -%}
        {%- do names.append(row[0]) -%}
    {%- endfor -%}
    {%- if names | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw folder " ~ raw_dir ~ " does not exist or holds no files: set "
            ~ "PAYOUTS_RAW_DIR to the folder of the export (default data/demo, "
            ~ "made by `make demo`).") }}
    {%- endif -%}
    {%- set plans = [] -%}
    {%- for t in partner_payouts.raw_contract_tables() -%}
        {%- set found = [] -%}
        {%- for ext in ['csv', 'parquet'] if t.table ~ '.' ~ ext in names -%}
            {%- do found.append(ext) -%}
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
        {%- set ext = found[0] -%}
        {%- set path = raw_dir ~ '/' ~ t.table ~ '.' ~ ext -%}
        {%- set file_table = schema ~ '.file__' ~ t.table -%}
        {%- do partner_payouts.spark_drop_raw(schema, t.table) -%}
        {%- do partner_payouts.spark_drop_raw(schema, 'file__' ~ t.table) -%}
        {%- do run_query(
            'create table ' ~ file_table ~ ' using ' ~ ('text' if ext == 'csv' else 'parquet')
            ~ (" options (wholetext 'true')" if ext == 'csv' else '')
            ~ ' location ' ~ partner_payouts.sql_string(location ~ '/' ~ t.table ~ '.' ~ ext)) -%}
        {%- set header = partner_payouts.spark_raw_header(ext, file_table, path) -%}
        {%- do plans.append(partner_payouts.raw_plan(t, path, ext, header)) -%}
    {%- endfor -%}
    {%- do run_query('drop table if exists ' ~ schema ~ '.malformed_lines') -%}
    {%- do run_query(
        'create table ' ~ schema ~ '.malformed_lines (source_table string, '
        ~ 'source_file string, line_number bigint, reason string, line_text string) '
        ~ 'using parquet') -%}
    {%- set files = [] -%}
    {%- for plan in plans -%}
        {%- do files.append('(' ~ partner_payouts.sql_string(plan.table) ~ ', '
            ~ partner_payouts.sql_string(plan.path) ~ ", '" ~ plan.ext ~ "')") -%}
    {%- endfor -%}
    {%- do run_query('drop table if exists ' ~ schema ~ '.export_files') -%}
    {%- do run_query(
        'create table ' ~ schema ~ '.export_files using parquet as '
        ~ 'select * from (values ' ~ files | join(', ')
        ~ ') as files(source_table, source_file, file_format)') -%}
    {%- for plan in plans -%}
        {%- if plan.ext == 'csv' -%}
            {%- do partner_payouts.spark_raw_csv(schema, plan) -%}
        {%- else -%}
            {%- do partner_payouts.spark_raw_parquet(schema, plan) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do partner_payouts.check_raw_tables_not_truncated(schema, plans) -%}
    {{ log('Raw export registered from ' ~ raw_dir ~ ' (' ~ plans | length
        ~ ' tables)', info=true) }}
    {{ return('') }}
{% endmacro %}


{#-
    A folder as a location Spark reads: relative paths are the project
    folder's (where dbt runs, as on DuckDB), when Spark runs on this machine
    (var `spark_project_dir`, set by the Makefile; a cluster is given a URI
    or an absolute path).
-#}
{% macro spark_location(path) %}
    {%- if ':' in path or path.startswith('/') -%}{{ return(path) }}{%- endif -%}
    {%- set base = env_var('PAYOUTS_SPARK_PROJECT_DIR', '') -%}
    {%- if not base -%}
        {{ exceptions.raise_compiler_error(
            "PAYOUTS_RAW_DIR " ~ path ~ " is relative: on Spark give an absolute path "
            ~ "or a URI the cluster can read (e.g. s3a://bucket/export/2026-12-01), "
            ~ "or set PAYOUTS_SPARK_PROJECT_DIR to the project folder.") }}
    {%- endif -%}
    {{ return(base ~ '/' ~ path) }}
{% endmacro %}


{#- A CSV file's physical lines: (line_number, line), numbered from 1. -#}
{% macro spark_raw_lines(file_table) -%}
    select
        cast(position + 1 as bigint) as line_number,
        {#- A CRLF file reads as LF; a byte-order mark is dropped. #}
        regexp_replace(
            case when position = 0 then regexp_replace(line, '^\uFEFF', '') else line end,
            '\r$', '') as line
    from {{ file_table }}
    lateral view posexplode(split(value, '\n')) lines as position, line
{%- endmacro %}


{#- A CSV header (first line) or a Parquet schema as [(position, name)]. -#}
{% macro spark_raw_header(ext, file_table, path) %}
    {%- set header = [] -%}
    {%- if ext == 'csv' -%}
        {%- set bad = run_query(
            "select count(*) from " ~ file_table
            ~ " where instr(value, '\uFFFD') > 0").rows[0][0] -%}
        {%- if bad > 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ path ~ " cannot be read from line 1: it is not UTF-8 "
                ~ "text; export it again as UTF-8.") }}
        {%- endif -%}
        {%- set query -%}
            select position + 1, {{ partner_payouts.spark_csv_unquote('name') }}
            from (
                select {{ partner_payouts.spark_csv_fields('line') }} as names
                from ({{ partner_payouts.spark_raw_lines(file_table) }}) as lines
                where line_number = 1
            ) as first_line
            lateral view posexplode(names) fields as position, name
            order by 1
        {%- endset -%}
        {%- for row in run_query(query).rows -%}
            {%- do header.append((row[0] | int, row[1])) -%}
        {%- endfor -%}
    {%- else -%}
        {%- for column in adapter.get_columns_in_relation(
                api.Relation.create(schema=file_table.split('.')[0],
                                    identifier=file_table.split('.')[1])) -%}
            {%- do header.append((loop.index, column.name | trim)) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(header) }}
{% endmacro %}


{#-
    The fields of a CSV record, as the text between the commas (Java regex).
    A comma is put in front so that every field follows one: Java's matcher
    would skip an empty first field (it moves on after an empty match).
-#}
{% macro spark_csv_fields(record) -%}
    regexp_extract_all(
        concat(',', {{ record }}),
        ',([ \t]*"(?:[^"]|"")*"[ \t]*|[^,"\n]*)',
        1)
{%- endmacro %}

{#- A field's value: outer quotes (and blanks around them) removed, doubled quotes undone. -#}
{% macro spark_csv_unquote(field) -%}
    case
        when trim({{ field }}) like '"%"'
            then replace(substr(trim({{ field }}), 2, length(trim({{ field }})) - 2), '""', '"')
        else {{ field }}
    end
{%- endmacro %}


{#-
    A CSV file into `raw.<table>` and its malformed lines into
    `raw.malformed_lines`, as `duckdb_raw_csv` does (see there for the
    rules). Records: a line starts a record when the lines before it hold an
    even number of quotes; a record is well formed when its text is exactly
    `width` fields, each quoted or quote-free. A record whose quote is never
    closed well (odd quotes to the end of the file, or text after a closing
    quote) is a malformed line (`csv_unterminated_quote`) and each further
    line of it is judged on its own.
-#}
{% macro spark_raw_csv(schema, plan) %}
    {%- set target = schema ~ '.' ~ plan.table -%}
    {%- set records -%}
        with lines as (
            {{ partner_payouts.spark_raw_lines(schema ~ '.file__' ~ plan.table) }}
        ),
        counted as (
            select
                line_number,
                line,
                length(line) - length(replace(line, '"', '')) as quotes
            from lines
            where line_number > 1
        ),
        parity as (
            select
                counted.*,
                coalesce(sum(quotes) over (
                    order by line_number
                    rows between unbounded preceding and 1 preceding), 0) % 2 as open_before
            from counted
        ),
        numbered as (
            select
                parity.*,
                sum(case when open_before = 0 then 1 else 0 end) over (
                    order by line_number rows between unbounded preceding and current row)
                    as record_number
            from parity
        ),
        records as (
            select
                record_number,
                min(line_number) as first_line,
                count(*) as line_count,
                sum(quotes) as quotes,
                concat_ws('\n', transform(
                    array_sort(collect_list(struct(line_number, line))),
                    l -> l.line)) as record_text,
                array_sort(collect_list(struct(line_number, line))) as record_lines
            from numbered
            group by record_number
        ),
        judged_records as (
            select
                records.*,
                {{ partner_payouts.spark_csv_fields('record_text') }} as fields,
                {{ partner_payouts.spark_csv_reason(
                    'record_text', 'quotes',
                    partner_payouts.spark_csv_fields('record_text'), plan.width) }}
                    as reason
            from records
            where not (line_count = 1 and record_text = '')
        ),
        {#- The lines after the first of a record with an unclosed quote, each on its own. #}
        reread as (
            select
                l.line_number,
                l.line as line_text,
                {{ partner_payouts.spark_csv_fields('l.line') }} as fields,
                length(l.line) - length(replace(l.line, '"', '')) as quotes
            from judged_records
            lateral view explode(record_lines) lines as l
            where judged_records.reason = 'csv_unterminated_quote'
                and l.line_number > judged_records.first_line
                and l.line != ''
        )
        select
            first_line as line_number,
            case when reason is null then record_text else record_lines[0].line end as line_text,
            fields,
            reason
        from judged_records
        union all
        select
            line_number,
            line_text,
            fields,
            {{ partner_payouts.spark_csv_reason('line_text', 'quotes', 'fields', plan.width) }}
        from reread
    {%- endset -%}
    {%- set projections = [] -%}
    {%- for column in plan.columns -%}
        {%- set position = plan.positions[column] -%}
        {%- if position is none -%}
            {%- do projections.append('cast(null as string) as ' ~ column) -%}
        {%- else -%}
            {%- do projections.append('nullif(' ~ partner_payouts.spark_csv_unquote(
                'fields[' ~ (position - 1) ~ ']') ~ ", '') as " ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query('drop table if exists ' ~ schema ~ '.records__' ~ plan.table) -%}
    {%- do run_query(
        'create table ' ~ schema ~ '.records__' ~ plan.table ~ ' using parquet as '
        ~ records) -%}
    {%- do run_query(
        'create table ' ~ target ~ ' using parquet as select ' ~ projections | join(', ')
        ~ ' from ' ~ schema ~ '.records__' ~ plan.table ~ ' where reason is null') -%}
    {%- do run_query(
        'insert into ' ~ schema ~ '.malformed_lines select '
        ~ partner_payouts.sql_string(plan.table) ~ ', '
        ~ partner_payouts.sql_string(plan.path) ~ ', line_number, reason, line_text'
        ~ ' from ' ~ schema ~ '.records__' ~ plan.table ~ ' where reason is not null') -%}
    {%- do run_query('drop table if exists ' ~ schema ~ '.records__' ~ plan.table) -%}
{% endmacro %}


{#-
    Why a record (or a line read on its own) is malformed, or null: a quote
    never closed, or text after a closing quote; more or fewer fields than
    the header.
-#}
{% macro spark_csv_reason(text, quotes, fields, width) -%}
    {%- set field = '([ \\t]*"(?:[^"]|"")*"[ \\t]*|[^,"\\n]*)' -%}
    case
        when {{ quotes }} % 2 = 1 or not ({{ text }} rlike '^{{ field }}(,{{ field }})*$')
            then 'csv_unterminated_quote'
        when size({{ fields }}) > {{ width }} then 'csv_too_many_fields'
        when size({{ fields }}) < {{ width }} then 'csv_too_few_fields'
    end
{%- endmacro %}


{#- A Parquet file as a view `raw.<table>` of the contract columns as text. -#}
{% macro spark_raw_parquet(schema, plan) %}
    {%- set file_table = schema ~ '.file__' ~ plan.table -%}
    {%- set columns = adapter.get_columns_in_relation(api.Relation.create(
        schema=schema, identifier='file__' ~ plan.table)) -%}
    {%- set projections = [] -%}
    {%- for column in plan.columns -%}
        {%- set position = plan.positions[column] -%}
        {%- if position is none -%}
            {%- do projections.append('cast(null as string) as ' ~ column) -%}
        {%- else -%}
            {%- set file_column = columns[position - 1] -%}
            {%- do projections.append(partner_payouts.spark_raw_parquet_value(
                '`' ~ file_column.name ~ '`', file_column.dtype | upper, plan.types[column])
                ~ ' as ' ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do run_query(
        'create view ' ~ schema ~ '.' ~ plan.table
        ~ ' as select ' ~ projections | join(', ') ~ ' from ' ~ file_table) -%}
{% endmacro %}


{#- As `duckdb_raw_parquet_value` (the session time zone is UTC). -#}
{% macro spark_raw_parquet_value(column, file_type, contract_type) -%}
    {%- if contract_type == 'date' and file_type.startswith('TIMESTAMP') -%}
        case
            when date_format({{ column }}, 'HH:mm:ss.SSSSSS') = '00:00:00.000000'
                then date_format({{ column }}, 'yyyy-MM-dd')
            else cast({{ column }} as string)
        end
    {%- elif file_type.startswith('TIMESTAMP') -%}
        date_format({{ column }}, "yyyy-MM-dd'T'HH:mm:ss.SSSSSS")
    {%- elif file_type == 'DATE' -%}
        date_format({{ column }}, 'yyyy-MM-dd')
    {%- else -%}
        cast({{ column }} as string)
    {%- endif -%}
{%- endmacro %}


{#- Drop `raw.<name>`, whether a table or a view (never the files under it). -#}
{% macro spark_drop_raw(schema, name) %}
    {%- set relation = adapter.get_relation(database=none, schema=schema, identifier=name) -%}
    {%- if relation is not none -%}{%- do adapter.drop_relation(relation) -%}{%- endif -%}
{% endmacro %}
