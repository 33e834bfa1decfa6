{#-
    The raw export: check it against the raw contract and expose it to the
    sources. Called from `on-run-start`, so a broken export stops the build
    before any model runs (and so before anything is published).

    The contract (tables, columns, their types, which columns are optional,
    which table a transactional table belongs to) is read from the sources'
    yml (`models/staging/*/_*__sources.yml`): it is written down once.
    What the checks are and why: README, "Run it on your own export".
-#}

{% macro raw_contract_tables() %}
    {#-
        [{'source': 'billing', 'table': 'invoices', 'columns': [...],
          'types': {column: type}, 'optional': [...], 'belongs_to': table,
          'pii': [...]}, ...]
        Sources whose meta says `contract: false` (the reader's own
        malformed-lines table) are not contract tables.
    -#}
    {%- set tables = [] -%}
    {%- for node in graph.get('sources', {}).values()
            | selectattr('package_name', 'equalto', project_name)
            | sort(attribute='name') -%}
        {%- if node.source_meta.get('contract', true) -%}
            {%- set types = {} -%}
            {%- set optional = [] -%}
            {%- set pii = [] -%}
            {%- for name, column in node.columns.items() -%}
                {%- do types.update({name: column.data_type or 'text'}) -%}
                {%- if column.meta.get('optional') -%}
                    {%- do optional.append(name) -%}
                {%- endif -%}
                {%- if column.meta.get('contains_pii') -%}
                    {%- do pii.append(name) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do tables.append({
                'source': node.source_name,
                'table': node.name,
                'columns': node.columns.keys() | list,
                'types': types,
                'optional': optional,
                'pii': pii,
                'belongs_to': node.meta.get('belongs_to'),
            }) -%}
        {%- endif -%}
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


{#-
    Engines that cannot read files: `partner-payouts load-raw` filled the raw
    schema (with exactly the tables and checks of the DuckDB reader, which it
    runs); check that it is there.
-#}
{% macro default__register_raw_export() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- for t in partner_payouts.raw_contract_tables()
            + [{'table': 'malformed_lines', 'columns': []},
               {'table': 'export_files', 'columns': []}] -%}
        {%- set relation = adapter.get_relation(
            database=target.database, schema=schema, identifier=t.table) -%}
        {%- if relation is none -%}
            {{ exceptions.raise_compiler_error(
                "Raw table missing: " ~ schema ~ "." ~ t.table
                ~ ". Load the export first: partner-payouts load-raw --raw-dir <folder>.") }}
        {%- endif -%}
        {%- set present = adapter.get_columns_in_relation(relation)
            | map(attribute='name') | map('lower') | list -%}
        {%- set missing = t.columns | reject('in', present) | list -%}
        {%- if missing -%}
            {{ exceptions.raise_compiler_error(
                "Raw table " ~ relation ~ " lacks contract column(s): "
                ~ missing | join(', ') ~ ". Load the export again with "
                ~ "partner-payouts load-raw.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#-
    DuckDB reads the files directly. For every contract table, find
    `<table>.csv` or `<table>.parquet` in $PAYOUTS_RAW_DIR and stop the build
    with one line naming the file when the export is broken:
    - the folder is missing or empty; a table has no file, or both files;
    - a header names a column twice, or lacks a required contract column
      (optional columns may be missing: they read as null);
    - a transactional table is empty while the table it belongs to has
      `empty_table_guard_rows` rows or more (a truncated export).
    Then `raw.<table>` holds exactly the contract columns as text (typing
    happens in staging, so a bad value quarantines a row instead of failing
    the build):
    - CSV: a table, read by DuckDB's RFC 4180 reader. Malformed lines (too
      many or too few fields, a quote never closed) do not stop the build:
      they go to `raw.malformed_lines` with their line number and reason,
      and the rest of the file is read (`duckdb_raw_csv`).
    - Parquet: a view; typed columns are turned into the contract's text
      (`duckdb_raw_parquet_value`).
-#}
{% macro duckdb__register_raw_export() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set raw_dir = env_var('PAYOUTS_RAW_DIR', 'data/demo') | trim -%}
    {%- set raw_dir = raw_dir[:-1] if raw_dir.endswith('/') else raw_dir -%}
    {%- set schema = var('raw_schema', 'raw') -%}
    {%- set files_in_folder = run_query(
        "select count(*) from glob(" ~ partner_payouts.sql_string(raw_dir ~ '/*') ~ ")"
    ).columns[0].values()[0] -%}
    {%- if files_in_folder == 0 -%}
        {{ exceptions.raise_compiler_error(
            "Raw folder " ~ raw_dir ~ " does not exist or holds no files: set "
            ~ "PAYOUTS_RAW_DIR to the folder of the export (default data/demo, "
            ~ "made by `make demo`).") }}
    {%- endif -%}
    {%- set plans = [] -%}
    {%- for t in partner_payouts.raw_contract_tables() -%}
        {%- do plans.append(partner_payouts.duckdb_raw_plan(raw_dir, t)) -%}
    {%- endfor -%}
    {%- do run_query('create schema if not exists ' ~ adapter.quote(schema)) -%}
    {%- do run_query(
        'create or replace table ' ~ adapter.quote(schema) ~ '.malformed_lines ('
        ~ 'source_table varchar, source_file varchar, line_number bigint, '
        ~ 'reason varchar, line_text varchar)') -%}
    {%- set files = [] -%}
    {%- for plan in plans -%}
        {%- do files.append('(' ~ partner_payouts.sql_string(plan.table) ~ ', '
            ~ partner_payouts.sql_string(plan.path) ~ ", '" ~ plan.ext ~ "')") -%}
    {%- endfor -%}
    {%- do run_query(
        'create or replace table ' ~ adapter.quote(schema) ~ '.export_files as '
        ~ 'select * from (values ' ~ files | join(', ')
        ~ ') as files(source_table, source_file, file_format)') -%}
    {%- for plan in plans -%}
        {%- if plan.ext == 'csv' -%}
            {%- do partner_payouts.duckdb_raw_csv(schema, plan) -%}
        {%- else -%}
            {%- do partner_payouts.duckdb_raw_parquet(schema, plan) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do partner_payouts.check_raw_tables_not_truncated(schema, plans) -%}
    {{ log('Raw export registered from ' ~ raw_dir ~ ' (' ~ plans | length
        ~ ' tables)', info=true) }}
    {{ return('') }}
{% endmacro %}


{#-
    Which file a contract table is read from, and where each contract column
    is in it: {'table', 'path', 'ext', 'width' (columns in the file),
    'positions': {column: 1-based position or none for a missing optional
    column}, 'types', 'pii', 'belongs_to'}.
-#}
{% macro duckdb_raw_plan(raw_dir, t) %}
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
    {{ return(partner_payouts.raw_plan(
        t, path, ext, partner_payouts.duckdb_raw_header(ext, path))) }}
{% endmacro %}


{#-
    Check a file's header against its contract table and plan the read (any
    engine): a column named twice, or a required contract column missing,
    stops the build with one line naming the file.
-#}
{% macro raw_plan(t, path, ext, header) %}
    {%- set positions = {} -%}
    {%- set seen = {} -%}
    {%- for position, name in header -%}
        {%- if name in seen -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ path ~ " names column `" ~ name ~ "` twice in its "
                ~ "header (columns " ~ seen[name] ~ " and " ~ position ~ "): keep "
                ~ "one of them, or rename the other.") }}
        {%- endif -%}
        {%- do seen.update({name: position}) -%}
    {%- endfor -%}
    {%- set missing = [] -%}
    {%- for column in t.columns -%}
        {%- if column in seen -%}
            {%- do positions.update({column: seen[column]}) -%}
        {%- elif column in t.optional -%}
            {%- do positions.update({column: none}) -%}
        {%- else -%}
            {%- do missing.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {%- set hints = [] -%}
        {%- for column in missing -%}
            {%- for name in seen if name | lower == column -%}
                {%- do hints.append('`' ~ name ~ '` should be `' ~ column ~ '`') -%}
            {%- endfor -%}
        {%- endfor -%}
        {{ exceptions.raise_compiler_error(
            "Raw file " ~ path ~ " lacks contract column(s): "
            ~ missing | join(', ') ~ " (raw contract table `" ~ t.table ~ "`"
            ~ ("; header names match exactly: " ~ hints | join(', ') if hints else '')
            ~ ").") }}
    {%- endif -%}
    {{ return({
        'table': t.table, 'path': path, 'ext': ext, 'width': header | length,
        'positions': positions, 'columns': t.columns, 'types': t.types,
        'pii': t.pii, 'belongs_to': t.belongs_to,
    }) }}
{% endmacro %}


{#-
    A file's header as [(position, name)], names trimmed. CSV: the first
    line, split as RFC 4180 fields (a UTF-8 byte-order mark is dropped by the
    reader), read on its own so that a damaged data line can never make the
    header look different. Parquet: the schema's names.
-#}
{% macro duckdb_raw_header(ext, path) %}
    {%- if ext == 'csv' -%}
        {%- set query -%}
            with first_line as (
                select line
                from {{ partner_payouts.duckdb_raw_lines(path) }}
                limit 1
            ),
            fields as (
                select {{ partner_payouts.duckdb_csv_fields('line') }} as names
                from first_line
            )
            select
                position,
                {{ partner_payouts.duckdb_csv_unquote('names[position]') }}
            from fields, range(1, len(names) + 1) as positions(position)
            order by position
        {%- endset -%}
    {%- else -%}
        {%- set query -%}
            select row_number() over () as position, trim(column_name)
            from (describe select * from read_parquet(
                {{ partner_payouts.sql_string(path) }}))
        {%- endset -%}
    {%- endif -%}
    {%- set header = [] -%}
    {%- for row in run_query(query).rows -%}
        {%- do header.append((row[0] | int, row[1])) -%}
    {%- endfor -%}
    {{ return(header) }}
{% endmacro %}


{#- A CSV file as its physical lines, one text column `line`, unsplit. -#}
{% macro duckdb_raw_lines(path) -%}
    read_csv({{ partner_payouts.sql_string(path) }}, header = false,
        auto_detect = false, delim = '\x1f', quote = '', escape = '',
        strict_mode = false, ignore_errors = true, columns = {'line': 'varchar'})
{%- endmacro %}


{#-
    The fields of one physical CSV line (RFC 4180: quoted fields may hold
    commas and doubled quotes), as a list of their raw text.
-#}
{% macro duckdb_csv_fields(line) -%}
    regexp_extract_all(
        {{ line }},
        '(?:^|,)([ \t]*"(?:[^"]|"")*"[ \t]*|[^,"]*)',
        1)
{%- endmacro %}

{#- A field's value: trimmed, outer quotes removed, doubled quotes undone. -#}
{% macro duckdb_csv_unquote(field) -%}
    case
        when trim({{ field }}) like '"%"'
            then replace(trim({{ field }})[2:-2], '""', '"')
        else trim({{ field }})
    end
{%- endmacro %}


{#-
    A CSV file into `raw.<table>` (text columns in contract order) and its
    malformed lines into `raw.malformed_lines`.

    DuckDB's reader skips a malformed record and reports it (line number,
    error, text). A quote that is never closed makes RFC 4180 read every
    following line into that one value, until the next quote: the reader
    reports the whole stretch as one record. Here its first line is the
    malformed one (`csv_unterminated_quote`), and each following line of the
    stretch is read again on its own (a well-formed line becomes a row; one
    that is not is a malformed line with its own reason), so the rest of the
    file is read. Every physical line of a malformed record is accounted
    for: rows read + malformed lines = the file's records.
-#}
{% macro duckdb_raw_csv(schema, plan) %}
    {%- set target = adapter.quote(schema) ~ '.' ~ adapter.quote(plan.table) -%}
    {%- set rejects = 'malformed__' ~ plan.table -%}
    {%- set file_columns = [] -%}
    {%- for i in range(1, plan.width + 1) -%}
        {%- do file_columns.append("'c" ~ i ~ "': 'varchar'") -%}
    {%- endfor -%}
    {%- set projections = [] -%}
    {%- set recovered = [] -%}
    {%- for column in plan.columns -%}
        {%- set position = plan.positions[column] -%}
        {%- if position is none -%}
            {%- do projections.append('cast(null as varchar) as ' ~ adapter.quote(column)) -%}
            {%- do recovered.append('cast(null as varchar)') -%}
        {%- else -%}
            {%- do projections.append('c' ~ position ~ ' as ' ~ adapter.quote(column)) -%}
            {%- do recovered.append('nullif(' ~ partner_payouts.duckdb_csv_unquote(
                'fields[' ~ position ~ ']') ~ ", '')") -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do partner_payouts.drop_raw_relation(schema, plan.table) -%}
    {%- do run_query('drop table if exists ' ~ rejects) -%}
    {%- do run_query('drop table if exists ' ~ rejects ~ '_scan') -%}
    {%- do run_query(
        'create table ' ~ target ~ ' as select ' ~ projections | join(', ')
        ~ ' from read_csv(' ~ partner_payouts.sql_string(plan.path)
        ~ ", header = true, auto_detect = false, delim = ',', quote = '\"'"
        ~ ", escape = '\"', strict_mode = true, store_rejects = true"
        ~ ", rejects_table = '" ~ rejects ~ "', rejects_scan = '" ~ rejects ~ "_scan'"
        ~ ', columns = {' ~ file_columns | join(', ') ~ '})') -%}
    {#-
        A file that is not UTF-8, or with a line beyond the reader's limit
        (2 MB: line ends the reader does not see), is a broken export, not
        a bad line.
    -#}
    {%- set broken = run_query(
        "select line, error_type from " ~ rejects
        ~ " where error_type not in ('TOO MANY COLUMNS', 'MISSING COLUMNS',"
        ~ " 'UNQUOTED VALUE') order by line limit 1").rows -%}
    {%- if broken -%}
        {%- set line, error = broken[0][0], broken[0][1] -%}
        {{ exceptions.raise_compiler_error(
            "Raw file " ~ plan.path ~ " cannot be read from line " ~ line ~ ": "
            ~ ("it is not UTF-8 text; export it again as UTF-8."
               if 'ENCODING' in error or 'UNICODE' in error
               else "the line is longer than 2 MB (line ends the reader "
                    ~ "does not recognise?); export it again with one record per line."
               if 'LINE SIZE' in error
               else error | lower ~ "; export the file again.")) }}
    {%- endif -%}
    {#- One row per physical line of each malformed record. -#}
    {%- set spans -%}
        with rejected as (
            select
                line as first_line,
                error_type,
                string_split(
                    trim(replace(csv_line, chr(13) || chr(10), chr(10)), chr(10)),
                    chr(10)) as lines
            from {{ rejects }}
            {#- A record missing several fields is reported once per field. #}
            qualify row_number() over (
                partition by line order by column_idx, error_type) = 1
        )
        select
            rejected.first_line + offsets.i - 1 as line_number,
            case
                when offsets.i > 1 then null
                when rejected.error_type = 'TOO MANY COLUMNS'
                    then 'csv_too_many_fields'
                when rejected.error_type = 'MISSING COLUMNS'
                    then 'csv_too_few_fields'
                when rejected.error_type = 'UNQUOTED VALUE'
                    then 'csv_unterminated_quote'
            end as reason,
            rejected.lines[offsets.i] as line_text,
            {{ partner_payouts.duckdb_csv_fields('rejected.lines[offsets.i]') }}
                as fields,
            length(rejected.lines[offsets.i])
            - length(replace(rejected.lines[offsets.i], '"', '')) as quotes
        from rejected,
            range(
                1,
                case
                    when rejected.error_type = 'UNQUOTED VALUE'
                        then len(rejected.lines) + 1
                    else 2
                end) as offsets(i)
    {%- endset -%}
    {%- set judged -%}
        select
            line_number,
            line_text,
            fields,
            coalesce(reason, case
                when quotes % 2 = 1 then 'csv_unterminated_quote'
                when len(fields) > {{ plan.width }} then 'csv_too_many_fields'
                when len(fields) < {{ plan.width }} then 'csv_too_few_fields'
            end) as reason
        from ({{ spans }})
    {%- endset -%}
    {%- do run_query(
        'insert into ' ~ target ~ ' select ' ~ recovered | join(', ')
        ~ ' from (' ~ judged ~ ') where reason is null') -%}
    {%- do run_query(
        'insert into ' ~ adapter.quote(schema) ~ '.malformed_lines select '
        ~ partner_payouts.sql_string(plan.table) ~ ', '
        ~ partner_payouts.sql_string(plan.path) ~ ', line_number, reason, line_text'
        ~ ' from (' ~ judged ~ ') where reason is not null') -%}
    {%- do run_query('drop table if exists ' ~ rejects) -%}
    {%- do run_query('drop table if exists ' ~ rejects ~ '_scan') -%}
{% endmacro %}


{#- A Parquet file as a view `raw.<table>` of the contract columns as text. -#}
{% macro duckdb_raw_parquet(schema, plan) %}
    {%- set reader = 'read_parquet(' ~ partner_payouts.sql_string(plan.path) ~ ')' -%}
    {%- set types = {} -%}
    {%- set names = {} -%}
    {%- for row in run_query('describe select * from ' ~ reader).rows -%}
        {%- do types.update({loop.index: row[1] | upper}) -%}
        {%- do names.update({loop.index: row[0]}) -%}
    {%- endfor -%}
    {%- set projections = [] -%}
    {%- for column in plan.columns -%}
        {%- set position = plan.positions[column] -%}
        {%- if position is none -%}
            {%- do projections.append('cast(null as varchar) as ' ~ adapter.quote(column)) -%}
        {%- else -%}
            {%- do projections.append(partner_payouts.duckdb_raw_parquet_value(
                adapter.quote(names[position]), types[position], plan.types[column])
                ~ ' as ' ~ adapter.quote(column)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do partner_payouts.drop_raw_relation(schema, plan.table) -%}
    {%- do run_query(
        'create view ' ~ adapter.quote(schema) ~ '.' ~ adapter.quote(plan.table)
        ~ ' as select ' ~ projections | join(', ') ~ ' from ' ~ reader) -%}
{% endmacro %}


{#-
    A typed Parquet value as the contract's text: dates and timestamps as
    ISO-8601 (a timestamp in a date column counts when it is midnight; with
    a time of day it stays a timestamp's text, which staging quarantines as
    an unparsable date), time-zone-aware timestamps in UTC; decimals,
    integers and booleans as they print. Text columns pass unchanged.
-#}
{% macro duckdb_raw_parquet_value(column, file_type, contract_type) -%}
    {%- if file_type.startswith('TIMESTAMP WITH TIME ZONE') -%}
        {%- set column = "timezone('UTC', " ~ column ~ ")" -%}
        {%- set file_type = 'TIMESTAMP' -%}
    {%- endif -%}
    {%- if contract_type == 'date' and file_type.startswith('TIMESTAMP') -%}
        case
            when cast({{ column }} as time) = time '00:00:00'
                then strftime(cast({{ column }} as date), '%Y-%m-%d')
            else cast({{ column }} as varchar)
        end
    {%- elif file_type.startswith('TIMESTAMP') -%}
        strftime({{ column }}, '%Y-%m-%dT%H:%M:%S.%f')
    {%- elif file_type == 'DATE' -%}
        strftime({{ column }}, '%Y-%m-%d')
    {%- else -%}
        cast({{ column }} as varchar)
    {%- endif -%}
{%- endmacro %}


{#- Drop `raw.<table>`, whether a table or a view. -#}
{% macro drop_raw_relation(schema, table) %}
    {%- set found = run_query(
        "select table_type from information_schema.tables where table_schema = "
        ~ partner_payouts.sql_string(schema) ~ " and table_name = "
        ~ partner_payouts.sql_string(table)) -%}
    {%- for row in found.rows -%}
        {%- do run_query(
            'drop ' ~ ('view' if row[0] == 'VIEW' else 'table') ~ ' '
            ~ adapter.quote(schema) ~ '.' ~ adapter.quote(table)) -%}
    {%- endfor -%}
{% endmacro %}


{#-
    A truncated export: a table that belongs to another (`meta.belongs_to`
    in the sources' yml: invoice lines and payments to invoices, invoices
    and contracts to customers) has no rows while the other has at least
    var `empty_table_guard_rows` (0 switches the check off). Reads at most
    that many rows of each file.
-#}
{% macro check_raw_tables_not_truncated(schema, plans) %}
    {%- set threshold = var('empty_table_guard_rows', 100) | int -%}
    {%- if threshold <= 0 -%}{{ return('') }}{%- endif -%}
    {%- set by_table = {} -%}
    {%- for plan in plans -%}{%- do by_table.update({plan.table: plan}) -%}{%- endfor -%}
    {%- for plan in plans if plan.belongs_to -%}
        {%- set parent = by_table[plan.belongs_to] -%}
        {%- set counts = run_query(
            'select (select count(*) from (select 1 from ' ~ adapter.quote(schema) ~ '.'
            ~ adapter.quote(plan.table) ~ ' limit 1)), (select count(*) from (select 1 from '
            ~ adapter.quote(schema) ~ '.' ~ adapter.quote(parent.table) ~ ' limit '
            ~ threshold ~ '))').rows[0] -%}
        {%- if counts[0] == 0 and counts[1] >= threshold -%}
            {{ exceptions.raise_compiler_error(
                "Raw file " ~ plan.path ~ " has no rows while " ~ parent.path ~ " has "
                ~ threshold ~ " or more: the export looks truncated. Export `"
                ~ plan.table ~ "` again, or set var empty_table_guard_rows: 0 to accept "
                ~ "an empty `" ~ plan.table ~ "`.") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}


{#- A Python string as a SQL string literal. -#}
{% macro sql_string(value) %}
    {{ return(adapter.dispatch('sql_string', 'partner_payouts')(value)) }}
{% endmacro %}

{% macro default__sql_string(value) %}
    {{ return("'" ~ (value | string | replace("'", "''")) ~ "'") }}
{% endmacro %}

{#- Spark: backslash escapes (two quotes in a row would end one literal and start another). -#}
{% macro spark__sql_string(value) %}
    {{ return("'" ~ (value | string | replace('\\', '\\\\') | replace("'", "\\'")) ~ "'") }}
{% endmacro %}
