"""Partner statements as documents: HTML, PDF (with lines.csv embedded) and
CSV per statement, and the payout file finance pays from.

Everything a document shows comes from two public marts,
`rpt_partner_statements` and `fct_partner_statement_lines`; a final statement's
rows never change, so its HTML and CSV render to the same bytes after any later
build. Money: the marts' exact decimals; shown with two decimals (half away
from zero) and the currency code; CSV keeps every digit.
"""

from __future__ import annotations

import csv
import io
import os
import sys
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

STATEMENT_COLUMNS = (
    "statement_id", "statement_number", "statement_sequence", "is_final", "partner_id",
    "partner_name", "agreement_id", "program_code", "program_name", "vendor_name",
    "period_start", "period_end", "payout_currency", "commission_amount",
    "adjustment_amount", "period_net_amount", "carried_in_amount", "payout_amount",
    "carried_out_amount", "payout_due_on", "customer_count", "line_count")
LINE_COLUMNS = (
    "statement_line_id", "statement_id", "customer_id", "customer_name",
    "natural_period_start", "is_adjustment", "invoice_currency", "payout_currency",
    "payout_units_per_invoice_unit", "base_amount", "commission_rate", "commission_amount",
    "line_count", "excluded_line_count", "held_line_count", "main_exclusion_reason")
PAYOUT_FILE_COLUMNS = ("statement_number", "partner_id", "partner_name", "agreement_id",
                       "currency", "amount", "due_on")
CENT = Decimal("0.01")


@dataclass
class RenderSummary:
    out_dir: Path
    statements: int = 0
    seconds: float = 0.0
    payouts: list = field(default_factory=list)  # rows of payouts.csv
    totals: dict = field(default_factory=dict)  # currency -> Decimal


def plain(value) -> str:
    """A value as CSV text: exact decimals without exponent, ISO dates,
    true/false, empty for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def money(value, currency: str) -> str:
    """`1,234.56 EUR`: two decimals, half away from zero, and the code."""
    from babel.numbers import format_decimal

    amount = Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"{format_decimal(amount, format='#,##0.00', locale='en_US')} {currency}"


def percent(rate) -> str:
    if rate is None:
        return "mixed"
    from babel.numbers import format_decimal

    return f"{format_decimal(Decimal(rate) * 100, format='#,##0.###', locale='en_US')} %"


def load(con, agreement: str | None = None, period_start: str | None = None):
    """Statements (as dicts, by statement number) and their lines, from the
    published marts of a read-only DuckDB connection."""
    where, params = [], []
    if agreement:
        where.append("agreement_id = ?")
        params.append(agreement)
    if period_start:
        where.append("period_start = cast(? as date)")
        params.append(period_start)
    clause = f"where {' and '.join(where)}" if where else ""
    statements = [dict(zip(STATEMENT_COLUMNS, row)) for row in con.execute(
        f"select {', '.join(STATEMENT_COLUMNS)} from marts.rpt_partner_statements {clause} "
        "order by statement_number", params).fetchall()]
    lines: dict[str, list[dict]] = {s["statement_id"]: [] for s in statements}
    if statements:
        rows = con.execute(
            f"select {', '.join('l.' + c for c in LINE_COLUMNS)} "
            "from marts.fct_partner_statement_lines as l "
            f"inner join (select statement_id from marts.rpt_partner_statements {clause}) "
            "as s on l.statement_id = s.statement_id "
            "order by l.statement_id, l.is_adjustment, l.natural_period_start, "
            "l.customer_name, l.customer_id", params).fetchall()
        for row in rows:
            line = dict(zip(LINE_COLUMNS, row))
            lines[line["statement_id"]].append(line)
    return statements, lines


def lines_csv(lines: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LINE_COLUMNS)
    for line in lines:
        writer.writerow([plain(line[c]) for c in LINE_COLUMNS])
    return buffer.getvalue()


def html(statement: dict, lines: list[dict]) -> str:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("partner_payouts.statements", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), keep_trailing_newline=True)
    currency = statement["payout_currency"]

    def row(line):
        fx = line["payout_units_per_invoice_unit"]
        return {**line,
                "base": money(line["base_amount"], currency),
                "commission": money(line["commission_amount"], currency),
                "rate": percent(line["commission_rate"]),
                "fx": format(fx.normalize(), "f") if fx is not None else None,
                "reason_text": (line["main_exclusion_reason"] or "-").replace("_", " ")}

    period_rows = [row(x) for x in lines if not x["is_adjustment"] and x["line_count"] > 0]
    adjustment_rows = [row(x) for x in lines if x["is_adjustment"]]
    unpaid_rows = [row(x) for x in lines
                   if x["excluded_line_count"] > 0 or x["held_line_count"] > 0]
    s = statement
    totals = {
        "commission": money(s["commission_amount"], currency),
        "adjustments": money(s["adjustment_amount"], currency),
        "net": money(s["period_net_amount"], currency),
        "carried_in": money(s["carried_in_amount"], currency),
        "payout": money(s["payout_amount"], currency),
        "carried_out": money(s["carried_out_amount"], currency),
        "period_lines": sum(x["line_count"] for x in lines if not x["is_adjustment"]),
        "adjustment_lines": sum(x["line_count"] for x in lines if x["is_adjustment"]),
    }
    return env.get_template("statement.html.j2").render(
        s=s, period_rows=period_rows, adjustment_rows=adjustment_rows,
        unpaid_rows=unpaid_rows, totals=totals)


def pdf(document_html: str, csv_text: str) -> bytes:
    """The statement as PDF, with lines.csv embedded for a partner's system."""
    from weasyprint import HTML, Attachment

    attachment = Attachment(string=csv_text.encode("utf-8"), name="lines.csv",
                            description="The statement's lines (CSV, exact decimals)")
    return HTML(string=document_html).write_pdf(attachments=[attachment])


def write_statement(out_dir: Path, statement: dict, lines: list[dict],
                    with_pdf: bool = True) -> Path:
    folder = out_dir / statement["agreement_id"] / statement["period_start"].isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    csv_text = lines_csv(lines)
    document = html(statement, lines)
    (folder / "lines.csv").write_text(csv_text, encoding="utf-8")
    (folder / "statement.html").write_text(document, encoding="utf-8")
    if with_pdf:
        (folder / "statement.pdf").write_bytes(pdf(document, csv_text))
    return folder


def _render_one(args):
    out_dir, statement, lines, with_pdf = args
    write_statement(out_dir, statement, lines, with_pdf)
    return statement["statement_number"]


def render(con, out_dir: Path, agreement: str | None = None, period_start: str | None = None,
           with_pdf: bool = True, processes: int | None = None,
           progress=sys.stderr) -> RenderSummary:
    """Render every selected statement into `out_dir` and write payouts.csv."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    statements, lines = load(con, agreement, period_start)
    summary = RenderSummary(out_dir=out_dir)
    jobs = [(out_dir, s, lines[s["statement_id"]], with_pdf) for s in statements]
    processes = processes or min(len(jobs), os.cpu_count() or 1) or 1
    step = max(1, len(jobs) // 20)
    if processes > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for done, _ in enumerate(pool.imap_unordered(_render_one, jobs, chunksize=4), 1):
                _progress(progress, done, len(jobs), started, step)
    else:
        for done, job in enumerate(jobs, 1):
            _render_one(job)
            _progress(progress, done, len(jobs), started, step)
    for s in statements:
        if s["payout_amount"] > 0:
            summary.payouts.append((s["statement_number"], s["partner_id"], s["partner_name"],
                                    s["agreement_id"], s["payout_currency"],
                                    s["payout_amount"], s["payout_due_on"]))
            summary.totals[s["payout_currency"]] = (
                summary.totals.get(s["payout_currency"], Decimal("0")) + s["payout_amount"])
    with open(out_dir / "payouts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(PAYOUT_FILE_COLUMNS)
        for row in summary.payouts:
            writer.writerow([plain(v) for v in row])
    summary.statements = len(statements)
    summary.seconds = time.perf_counter() - started
    return summary


def _progress(stream, done, total, started, step):
    if stream is None or (done % step and done != total):
        return
    elapsed = time.perf_counter() - started
    print(f"  rendered {done:,} of {total:,} statements ({elapsed:.1f} s)", file=stream,
          flush=True)
