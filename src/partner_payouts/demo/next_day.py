"""The next day's export: `next_day(previous, out, seed)`.

A nightly build meets the export of the day before plus one day: the same
files, with the invoices, lines and payments recorded on the new day appended
(README, "Demo data"). What the day adds, all recorded on it:

- **renewals**: every recurring line whose next service period starts on the
  day (its period length in whole months after its invoice was issued),
  billed again on a new invoice, while its contract runs;
- **payments**: every invoice due on the day that has no payment yet, paid
  in full (net plus tax of its lines);
- **late documents**: a few invoices without recurring lines issued 20
  days before the day (copies of earlier ones, every date moved), recorded
  only now;
- **late credit notes for a closed period**: a few credit notes, dated in the
  last period a payout run has closed, that credit one line of an invoice of
  that period in full.

Set-based (DuckDB over the previous export, read by the build's own
reader), so a day at scale 1000 costs about a read and a copy of the
export. The previous export is never changed;
the new day is `--day` or the day after the export's as-of date, read as
the build reads it (a mistyped timestamp cannot move it). Every other table is copied as it is; the format of each file is kept.
"""

import csv
import datetime
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

from partner_payouts.dbt_runner import PROJECT_DIR
from partner_payouts.loader import read_export
from partner_payouts.raw_contract import RAW_TABLES
from partner_payouts.warehouse import memory_settings

# How many late documents and late credit notes a day brings.
LATE_DOCUMENTS = 3
LATE_CREDIT_NOTES = 3
LATE_DOCUMENT_DAYS = 20
APPENDED = ("invoices", "invoice_lines", "payments")
READ = (*APPENDED, "contracts", "payout_runs")


@dataclass
class NextDay:
    out_dir: Path
    day: datetime.date
    rows: dict = field(default_factory=dict)   # rows appended, per table
    late_credit_notes: list = field(default_factory=list)   # (credit note, invoice credited)
    late_documents: list = field(default_factory=list)


def project_var(name: str):
    """A var of the dbt project (dbt_project.yml), where the build reads it."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"][name]


def as_date(column: str) -> str:
    return f"try_cast({column} as date)"


def money(column: str) -> str:
    return f"try_cast({column} as decimal(18, 2))"


def next_day(previous, out, seed: int = 42, day: datetime.date | None = None) -> NextDay:
    """The export in `previous` plus one day, written to `out`. The previous
    export is read by the build's own reader (so a malformed CSV line is
    skipped exactly as the build skips it); a broken export raises
    RawExportError with the build's one-line message."""
    previous, out = Path(previous), Path(out)
    if previous.resolve() == out.resolve():
        raise ValueError("write the next day to another folder: the previous export is kept")
    with tempfile.TemporaryDirectory(prefix="partner_payouts_next_day_") as tmp:
        database = Path(tmp) / "export.duckdb"
        read_export(previous, database)
        con = duckdb.connect(config=memory_settings())
        con.execute(f"attach '{database}' as export (read_only)")
        try:
            return _next_day(con, previous, out, seed, day)
        finally:
            con.close()


def _next_day(con, previous: Path, out: Path, seed: int, day) -> NextDay:
    # The file the reader took for each table.
    files = {table: Path(path) for table, path in con.execute(
        "select source_table, source_file from export.raw.export_files").fetchall()}
    out.mkdir(parents=True, exist_ok=True)
    for table in READ:
        con.execute(f"create view prev_{table} as select * from export.raw.{table}")
    if day is None:
        # As the build reads the as-of date (doc block `rule_plausible_dates`):
        # from the median recorded day on, up to the first silence of more
        # than a quarter.
        latest = con.execute(f"""
            with recorded as (
                select {as_date('left(recorded_at, 10)')} as day from prev_invoices
                union all
                select {as_date('left(recorded_at, 10)')} from prev_payments
            ),
            days as (
                select distinct day from recorded
                where day >= (select quantile_disc(day, 0.5) from recorded)
            ),
            gaps as (
                select day, lead(day) over (order by day) as next_day from days
            )
            select min(day) from gaps
            where next_day is null
                or date_diff('day', day, next_day) > {project_var("plausible_gap_days")}
            """).fetchone()
        if latest is None or latest[0] is None:
            raise ValueError(f"{previous}: no day with recorded invoices or payments")
        day = latest[0] + datetime.timedelta(days=1)
    tag = day.strftime("%Y%m%d")
    params = {"day": day, "seed": str(seed)}

    # Invoices once (a duplicated key, a bad row the build quarantines, is
    # not renewed twice), with their dates typed.
    con.execute(f"""
        create temp table invoices as
        select *, {as_date('issued_on')} as issued, {as_date('due_on')} as due
        from prev_invoices
        where {as_date('issued_on')} is not null and {as_date('due_on')} is not null
        qualify row_number() over (partition by invoice_id order by recorded_at) = 1""")
    con.execute(f"""
        create temp table lines as
        select *,
            {as_date('service_period_start')} as period_start,
            {as_date('service_period_end')} as period_end,
            {money('net_amount')} as net,
            {money('tax_amount')} as tax
        from prev_invoice_lines
        qualify row_number() over (partition by invoice_line_id order by invoice_id) = 1""")

    # Renewals: a recurring line of k whole months, issued k months before the day.
    con.execute(f"""
        create temp table renewed_lines as
        with recurring as (
            select
                lines.*,
                invoices.issued,
                date_diff('month', lines.period_start, lines.period_end + 1) as months
            from lines
            inner join invoices on lines.invoice_id = invoices.invoice_id
            where lines.charge_type = 'recurring'
                and invoices.document_type = 'invoice'
                and lines.net > 0
        ),
        contracts as (
            select contract_id, {as_date('ends_on')} as ends, {as_date('cancelled_on')} as cancelled
            from prev_contracts
            qualify row_number() over (partition by contract_id order by contract_id) = 1
        )
        select recurring.*
        from recurring
        left join contracts on recurring.contract_id = contracts.contract_id
        where recurring.months >= 1
            and recurring.period_start + to_months(recurring.months::integer)
                = recurring.period_end + 1
            and recurring.issued + to_months(recurring.months::integer) = $day
            and (contracts.ends is null
                 or contracts.ends >= recurring.period_end + to_months(recurring.months::integer))
            and (contracts.cancelled is null or contracts.cancelled > $day)""",
                {"day": day})

    # Late documents: invoices without recurring lines (set-up fees, usage,
    # one-time services) of the three months before, moved to 20 days ago
    # (every date by the same number of days), recorded today.
    con.execute(f"""
        create temp table late_sources as
        select
            invoices.invoice_id,
            date_diff('day', invoices.issued, $late::date) as shift_days
        from invoices
        where invoices.document_type = 'invoice'
            and invoices.issued between $late::date - 90 and $late::date - 1
            and exists (select 1 from lines where lines.invoice_id = invoices.invoice_id
                        and lines.net > 0)
            and not exists (select 1 from lines where lines.invoice_id = invoices.invoice_id
                            and lines.charge_type = 'recurring')
        order by hash(invoices.invoice_id || $seed || $late), invoices.invoice_id
        limit {LATE_DOCUMENTS}""",
                {"late": day - datetime.timedelta(days=LATE_DOCUMENT_DAYS), "seed": str(seed)})

    # Late credit notes: one line of an invoice issued in the last period a
    # payout run has closed (runs that end before they start or close
    # before they end are bad rows, left to the build), credited in full,
    # dated in that period and recorded today.
    con.execute(f"""
        create temp table credited as
        with runs as (
            select program_code, max({as_date('period_end')}) as period_end
            from prev_payout_runs
            where {as_date('period_start')} <= {as_date('period_end')}
                and {as_date('left(closed_at, 10)')} > {as_date('period_end')}
                and {as_date('left(closed_at, 10)')} < $day
            group by program_code
        ),
        closed as (
            select max(period_end) as period_end from runs
        ),
        candidates as (
            select lines.*, invoices.issued, invoices.due, closed.period_end as closed_end
            from lines
            inner join invoices on lines.invoice_id = invoices.invoice_id
            cross join closed
            where invoices.document_type = 'invoice'
                and lines.charge_type in ('recurring', 'one_time', 'usage')
                and lines.net > 0
                and invoices.issued between closed.period_end - 40 and closed.period_end - 10
                and not exists (select 1 from invoices as notes
                                where notes.corrects_invoice_id = invoices.invoice_id)
            qualify row_number() over (
                partition by lines.invoice_id order by lines.invoice_line_id) = 1
        )
        select * from candidates
        order by hash(invoice_line_id || $seed || $day), invoice_line_id
        limit {LATE_CREDIT_NOTES}""", params)

    con.execute(f"""
        create temp table new_invoices as
        with renewals as (
            select distinct invoice_id from renewed_lines
        ),
        documents as (
            select invoices.*, 'renewal' as kind, $day as new_issued, 0 as kind_order
            from invoices inner join renewals using (invoice_id)
            union all
            select invoices.*, 'late', $day - {LATE_DOCUMENT_DAYS}, 1
            from invoices inner join late_sources using (invoice_id)
            union all
            select invoices.*, 'credit', credited.issued + 7, 2
            from invoices inner join credited using (invoice_id)
        ),
        numbered as (
            select *, row_number() over (order by kind_order, invoice_id) as number
            from documents
        )
        select
            'INV' || '{tag}' || lpad(cast(number as varchar), 7, '0') as new_invoice_id,
            invoice_id as source_invoice_id,
            kind,
            customer_id,
            legal_entity,
            case when kind = 'credit' then 'credit_note' else 'invoice' end as document_type,
            case when kind = 'credit' then invoice_id end as corrects_invoice_id,
            cast(new_issued as varchar) as issued_on,
            cast(cast(new_issued + to_days(date_diff('day', issued, due)::integer) as date)
                 as varchar) as due_on,
            currency,
            '{day.isoformat()}' || coalesce(substr(recorded_at, 11), 'T06:00:00Z') as recorded_at
        from numbered""", {"day": day})

    con.execute(f"""
        create temp table new_invoice_lines as
        with picked as (
            select renewed_lines.*, 'renewal' as kind,
                period_end + 1 as new_start,
                period_end + to_months(months::integer) as new_end,
                1 as sign
            from renewed_lines
            union all
            select lines.*, null, null, 'late',
                lines.period_start + to_days(late_sources.shift_days::integer),
                lines.period_end + to_days(late_sources.shift_days::integer), 1
            from lines inner join late_sources using (invoice_id)
            union all
            select lines.*, null, null, 'credit', lines.period_start, lines.period_end, -1
            from credited
            inner join lines using (invoice_line_id)
        ),
        numbered as (
            select picked.*, new_invoices.new_invoice_id,
                row_number() over (order by new_invoices.new_invoice_id, picked.invoice_line_id)
                    as number
            from picked
            inner join new_invoices
                on picked.invoice_id = new_invoices.source_invoice_id
                and picked.kind = new_invoices.kind
        )
        select
            'IL' || '{tag}' || lpad(cast(number as varchar), 8, '0') as invoice_line_id,
            new_invoice_id as invoice_id,
            contract_id,
            product_code,
            charge_type,
            cast(cast(new_start as date) as varchar) as service_period_start,
            cast(cast(new_end as date) as varchar) as service_period_end,
            quantity,
            {_signed('list_amount')} as list_amount,
            {_signed('discount_amount')} as discount_amount,
            promo_pct,
            cast(net * sign as varchar) as net_amount,
            cast(tax * sign as varchar) as tax_amount
        from numbered""")

    con.execute(f"""
        create temp table new_payments as
        with open_due as (
            select invoices.invoice_id
            from invoices
            where invoices.document_type = 'invoice' and invoices.due = $day
                and not exists (select 1 from prev_payments
                                where prev_payments.invoice_id = invoices.invoice_id)
        ),
        owed as (
            select lines.invoice_id, sum(lines.net + lines.tax) as amount
            from lines inner join open_due using (invoice_id)
            group by lines.invoice_id
            having count(*) = count(lines.net + lines.tax) and sum(lines.net + lines.tax) > 0
        )
        select
            'PAY' || '{tag}' || lpad(cast(row_number() over (order by invoice_id) as varchar),
                                      7, '0') as payment_id,
            invoice_id,
            '{day.isoformat()}' as received_on,
            cast(amount as varchar) as amount,
            '{day.isoformat()}T17:30:00Z' as recorded_at
        from owed""", {"day": day})

    result = NextDay(out, day)
    for table in RAW_TABLES:
        source = files[table]
        for stale in out.glob(f"{table}.*"):
            stale.unlink()
        if table not in APPENDED:
            shutil.copyfile(source, out / source.name)
            continue
        columns = ", ".join(RAW_TABLES[table])
        rows = ("(select new_invoice_id as invoice_id, * from new_invoices)"
                if table == "invoices" else f"new_{table}")
        added = con.sql(f"select {columns} from {rows} order by 1").to_arrow_table()
        added = added.cast(pa.schema([(c, pa.string()) for c in RAW_TABLES[table]]))
        result.rows[table] = added.num_rows
        if source.suffix == ".csv":
            shutil.copyfile(source, out / source.name)
            _append_csv(out / source.name, added)
        else:
            _append_parquet(con, source, out / source.name, added)
    result.late_credit_notes = con.execute(
        "select new_invoice_id, corrects_invoice_id from new_invoices where kind = 'credit' "
        "order by 1").fetchall()
    result.late_documents = [row[0] for row in con.execute(
        "select new_invoice_id from new_invoices where kind = 'late' order by 1").fetchall()]
    return result


def _signed(column: str) -> str:
    """A money column as text, negated on credit notes (null stays null)."""
    return f"cast({money(column)} * sign as varchar)"


def _append_csv(path: Path, rows: pa.Table) -> None:
    """Append rows to a CSV file in its own header's column order (a column
    the contract does not know stays empty), quoted as the demo writer
    quotes, after making sure the file ends with a line break."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        header = [name.strip() for name in next(csv.reader(handle))]
    empty = pa.nulls(rows.num_rows, pa.string())
    rows = pa.table({f"c{i}": rows[name] if name in rows.column_names else empty
                     for i, name in enumerate(header)})
    with open(path, "rb+") as handle:
        handle.seek(0, 2)
        if handle.tell() > 0:
            handle.seek(-1, 2)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
    sink = pa.BufferOutputStream()
    pacsv.write_csv(rows, sink, write_options=pacsv.WriteOptions(
        include_header=False, quoting_style="needed"))
    with open(path, "ab") as handle:
        handle.write(sink.getvalue().to_pybytes())


def _append_parquet(con, source: Path, target: Path, rows: pa.Table) -> None:
    """The previous file's rows plus `rows`, in the file's own columns and
    types (a typed Parquet export stays typed; a column the contract does
    not know is null in the new rows)."""
    old = "read_parquet('" + str(source).replace("'", "''") + "')"
    columns = con.execute(f"describe select * from {old}").fetchall()
    select = []
    for name, column_type, *_ in columns:
        value = ('"' + name.strip() + '"') if name.strip() in rows.column_names else "null"
        select.append(f"try_cast({value} as {column_type})" if column_type != "VARCHAR"
                      else f"cast({value} as varchar)")
    con.register("added_rows", rows)
    con.execute(f"""
        copy (select * from {old}
              union all
              select {", ".join(select)} from added_rows)
        to '{str(target).replace("'", "''")}'
        (format parquet, compression zstd, row_group_size 250000)""")
    con.unregister("added_rows")
