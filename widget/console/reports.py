"""Reports (``/admin/{slug}/reports``, owners only): the year's occupancy, ADR, RevPAR and
room revenue by month and by room type, each with its definition beside it, bar charts drawn as
SVG on the server, bookings by channel and by lead time, and the accountant's CSV files.
Every word and number is in the owner's language (`widget.i18n`); the CSV files are not:
their column names and values are for the accountant's software, the same in every
language (docs/console.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_decimal
from litestar import Controller, Response, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from widget.console.access import MemberDep, requires
from widget.console.pages import HEADERS, formats, page
from widget.errors import Invalid, NotFound
from widget.reports.charts import bar_chart
from widget.reports.figures import FIGURES, yearly_report
from widget.reports.ledger import bookings_csv, payments_csv
from widget.rulebook.draft import read_rulebook
from widget.state import DbDep

LEDGERS = {"bookings.csv": bookings_csv, "payments.csv": payments_csv}
Year = Annotated[int | None, QueryParameter(required=False, description="e.g. 2027")]
FIRST_YEAR, LAST_YEAR = 2000, 2100


async def _year(db: DbDep, slug: str, year: int | None) -> int:
    """The year asked for, else the property's current one."""
    if year is None:
        return (await read_rulebook(db, slug)).today.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"year must be {FIRST_YEAR} to {LAST_YEAR}", field="year")
    return year


def _percent(language: str) -> Callable[[int | None], str]:
    """Tenths of a percent as the owner writes them (``3.9 %``, ``3,9 %``)."""

    def percent(permille: int | None) -> str:
        if permille is None:
            return "–"
        return f"{format_decimal(permille / 10, format='#,##0.0', locale=language)} %"

    return percent


def _first_of(month: str) -> date:
    """The first day of a report's month label (``2027-05``)."""
    return date.fromisoformat(f"{month}-01")


class ReportsController(Controller):
    path = "/{slug:str}/reports"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute

    @get("/", operation_id="consoleReports", cache=False)
    async def reports(self, db: DbDep, member: MemberDep, year: Year = None) -> Template:
        """The year's figures, charts, channels and lead times."""
        shown = await _year(db, member.slug, year)
        report = await yearly_report(db, member.property_id, shown)
        language = member.viewer.language
        money, percent = formats(member)["money"], _percent(language)
        # Each bar is labelled with its month's short name in the owner's language.
        months = [
            (str(format_date(_first_of(m.label), format="LLL", locale=language)), m)
            for m in report.by_month
        ]
        charts = [
            bar_chart("occupancy", [(k, m.occupancy_permille) for k, m in months], percent),
            bar_chart("revenue", [(k, m.revenue) for k, m in months], money),
        ]
        context: dict[str, Any] = {
            "report": report,
            "charts": charts,
            "figures": FIGURES,
            "percent": percent,
            "number": partial(format_decimal, locale=language),  # 2190 is 2.190 in Italian
            "first_of": _first_of,
            **formats(member),
        }
        return page(
            "reports.html", viewer=member.viewer, member=member, active="reports", **context
        )

    @get("/{ledger:str}", operation_id="consoleReportsCsv", cache=False)
    async def ledger(
        self,
        db: DbDep,
        member: MemberDep,
        ledger: Annotated[str, PathParameter(description="bookings.csv or payments.csv")],
        year: Year = None,
    ) -> Response[str]:
        """``bookings.csv`` (every booking with a night in the year, cancelled ones
        included) or ``payments.csv`` (each payment taken and refund given for them)."""
        write = LEDGERS.get(ledger)
        if write is None:
            raise NotFound("There is no such file; try bookings.csv or payments.csv.")
        shown = await _year(db, member.slug, year)
        text = await write(db, member.property_id, date(shown, 1, 1), date(shown + 1, 1, 1))
        return _csv(text, f"{member.slug}-{ledger.removesuffix('.csv')}-{shown}.csv")


def _csv(text: str, filename: str) -> Response[str]:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={**HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )
