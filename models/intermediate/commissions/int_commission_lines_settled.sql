{{ config(materialized="table") }}

{#-
    When each commissionable line settles, in which settlement period, and
    when it is payable (programs.md: settlement, "paid only when paid", One
    Network's cash receipt, "Closed periods never change").

    Settlement trigger (`settlement_trigger`, seed `commission_terms`):
    - `invoice_issued` (NWS, OpenNebula): the document's issue day.
    - `invoice_paid_in_full` (NetSource): the day of the payment that made
      the invoice's payments reach its gross amount (`int_invoices_paid`);
      until then the line is `held`.
    - `first_payment` (One Network): the day of the invoice's first cash
      receipt; until then `held`.
    A credit note claws back in the period it is issued; under a payment
    trigger it cannot settle before the invoice it corrects: it settles on
    the later of its issue day and that invoice's trigger day, and is held
    while that invoice is.

    Natural period: the settlement period holding the trigger day; the
    booked period and `adjustment_reason` follow the doc block
    `rule_closed_periods` (late documents; periods published as final).

    Payable: period rule (`payout_due_months_after_period`): the last day of
    the month that many months after the booked period's end (NWS: the
    month after the quarter). Receipt rule (`payout_due_days_after_receipt`,
    One Network): the trigger day + that many days; for an adjustment, the
    day the deciding payment was recorded + that many days when that is
    later (the vendor cannot pay on a receipt it did not know of, so a late
    receipt is never due before the period it is booked into).
-#}
with lines as (
    select * from {{ ref('int_commission_lines_evaluated') }}
),

invoices_paid as (
    select
        invoice_id,
        paid_in_full_on,
        paid_in_full_recorded_at,
        completing_payment_id,
        first_receipt_on,
        first_receipt_recorded_at,
        first_receipt_payment_id
    from {{ ref('int_invoices_paid') }}
),

periods as (
    select * from {{ ref('int_settlement_periods_listed') }}
),

{# Lines published in a final period (not their corrections). #}
published_lines as (
    select commission_line_id
    from {{ ref('int_commission_lines_published') }}
    where not coalesce(is_correction, false)
),

triggers as (
    select
        lines.commission_line_id,
        case lines.settlement_trigger
            when 'invoice_paid_in_full' then own.paid_in_full_on
            when 'first_payment' then own.first_receipt_on
        end as own_payment_on,
        case lines.settlement_trigger
            when 'invoice_paid_in_full' then own.paid_in_full_recorded_at
            when 'first_payment' then own.first_receipt_recorded_at
        end as own_payment_recorded_at,
        case lines.settlement_trigger
            when 'invoice_paid_in_full' then corrected.paid_in_full_on
            when 'first_payment' then corrected.first_receipt_on
        end as corrected_payment_on,
        case lines.settlement_trigger
            when 'invoice_paid_in_full'
                then corrected.paid_in_full_recorded_at
            when 'first_payment' then corrected.first_receipt_recorded_at
        end as corrected_payment_recorded_at,
        case lines.settlement_trigger
            when 'invoice_paid_in_full' then corrected.completing_payment_id
            when 'first_payment' then corrected.first_receipt_payment_id
        end as corrected_payment_id,
        case lines.settlement_trigger
            when 'invoice_paid_in_full' then own.completing_payment_id
            when 'first_payment' then own.first_receipt_payment_id
        end as own_payment_id
    from lines
    left join invoices_paid as own
        on lines.invoice_id = own.invoice_id
    left join invoices_paid as corrected
        on lines.corrects_invoice_id = corrected.invoice_id
    where lines.exclusion_reason is null
),

{#
    The steps carry the line's key and what they decide on; final adds the
    line (D78).
#}
settled as (
    select
        lines.commission_line_id,
        lines.program_code,
        lines.settlement_months,
        case
            when lines.exclusion_reason is not null then null
            when lines.settlement_trigger = 'invoice_issued'
                then lines.issued_on
            when not lines.is_credit_note then triggers.own_payment_on
            when lines.corrects_invoice_id is null then lines.issued_on
            when triggers.corrected_payment_on is null then null
            when triggers.corrected_payment_on > lines.issued_on
                then triggers.corrected_payment_on
            else lines.issued_on
        end as settles_on,
        case
            when lines.exclusion_reason is not null then null
            when lines.settlement_trigger = 'invoice_issued'
                then lines.invoice_recorded_at
            when not lines.is_credit_note
                then triggers.own_payment_recorded_at
            when lines.corrects_invoice_id is null
                then lines.invoice_recorded_at
            when triggers.corrected_payment_recorded_at is null then null
            when
                triggers.corrected_payment_recorded_at
                > lines.invoice_recorded_at
                then triggers.corrected_payment_recorded_at
            else lines.invoice_recorded_at
        end as deciding_recorded_at,
        case
            when lines.settlement_trigger = 'invoice_issued' then null
            when not lines.is_credit_note then triggers.own_payment_id
            else triggers.corrected_payment_id
        end as deciding_payment_id
    from lines
    left join triggers
        on lines.commission_line_id = triggers.commission_line_id
),

in_period as (
    select
        settled.*,
        {{ settlement_period_start(
            'settled.settles_on', 'settled.settlement_months') }}
            as natural_period_start
    from settled
),

late as (
    select
        in_period.commission_line_id,
        min(later.period_start) as booked_period_start
    from in_period
    inner join periods as natural_periods
        on
            in_period.program_code = natural_periods.program_code
            and in_period.natural_period_start = natural_periods.period_start
    inner join periods as later
        on
            in_period.program_code = later.program_code
            and in_period.natural_period_start < later.period_start
            and (
                later.closed_at is null
                or in_period.deciding_recorded_at <= later.closed_at
            )
    where in_period.deciding_recorded_at > natural_periods.closed_at
    group by in_period.commission_line_id
),

recorded as (
    select
        in_period.*,
        late.commission_line_id is not null as is_late,
        coalesce(
            late.booked_period_start, in_period.natural_period_start
        ) as recorded_period_start
    from in_period
    left join late
        on in_period.commission_line_id = late.commission_line_id
),

{#
    A period published as final without the line (the line is new, or
    changed, since its statements were published): the line goes to the
    first period of the program that is open now. A line published in a
    final period keeps its published row; int_commission_lines_corrected
    books any difference.
#}
corrected as (
    select
        recorded.commission_line_id,
        min(later.period_start) as corrected_period_start
    from recorded
    inner join periods as recorded_periods
        on
            recorded.program_code = recorded_periods.program_code
            and recorded.recorded_period_start = recorded_periods.period_start
    inner join periods as later
        on
            recorded.program_code = later.program_code
            and recorded_periods.period_start < later.period_start
            and later.closed_at is null
    left join published_lines
        on recorded.commission_line_id = published_lines.commission_line_id
    where
        recorded_periods.is_final
        and published_lines.commission_line_id is null
    group by recorded.commission_line_id
),

booked as (
    select
        recorded.*,
        case
            when corrected.commission_line_id is not null
                then 'closed_period_correction'
            when recorded.is_late then 'late_document'
        end as adjustment_reason,
        coalesce(
            corrected.corrected_period_start, recorded.recorded_period_start
        ) as settlement_period_start,
        case
            when corrected.corrected_period_start > recorded.settles_on
                then corrected.corrected_period_start
            when
                recorded.is_late
                and {{ timestamp_date('recorded.deciding_recorded_at') }}
                > recorded.settles_on
                then {{ timestamp_date('recorded.deciding_recorded_at') }}
            else recorded.settles_on
        end as receipt_known_on
    from recorded
    left join corrected
        on recorded.commission_line_id = corrected.commission_line_id
),

final as (
    select
        lines.*,
        booked.settles_on,
        booked.deciding_recorded_at,
        booked.deciding_payment_id,
        booked.natural_period_start,
        booked.is_late,
        booked.recorded_period_start,
        booked.adjustment_reason,
        booked.settlement_period_start,
        booked.receipt_known_on,
        booked.adjustment_reason is not null as is_adjustment,
        periods.period_end as settlement_period_end,
        periods.closed_at as settlement_period_closed_at,
        case
            when booked.settles_on is null then null
            when lines.payout_due_months_after_period is not null
                then {{ month_end(add_months(
                    'periods.period_end',
                    'lines.payout_due_months_after_period')) }}
            else {{ add_days(
                'booked.receipt_known_on',
                'lines.payout_due_days_after_receipt') }}
        end as payable_on,
        case
            when lines.exclusion_reason is not null then 'excluded'
            when booked.settles_on is null then 'held'
            else 'payable'
        end as status
    from lines
    inner join booked
        on lines.commission_line_id = booked.commission_line_id
    left join periods
        on
            booked.program_code = periods.program_code
            and booked.settlement_period_start = periods.period_start
)

select * from final
