"""Prices and rules (``/admin/{slug}/rules``, owners only): the property's rule list in the
owner's order, each rule as a form generated from its settings Struct, and beside it the
live preview of the next nights' prices under the rules as edited.

The whole draft travels in the form, so nothing is stored until the owner saves: the
buttons (add, remove, move, preview) post the form back and the page is drawn again from
what was posted; htmx only swaps the preview in as the owner types. Saving checks the rules
as ``property apply`` does and records who changed what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from engine import MAX_CHILD_AGE, Party, PricingError, Quote, rule_types
from widget.console.access import MemberDep, requires
from widget.console.pages import formats, page
from widget.errors import Invalid, RulesChangedMeanwhile
from widget.intake import ACCEPTS, FORM
from widget.inventory.availability import CalendarNight
from widget.properties.file import RuleProblem
from widget.properties.rule_forms import FormData, RuleForm, rule_form, rules_from_form
from widget.rulebook.changes import rule_history, save_rules
from widget.rulebook.draft import RuleBook, Rules, check_draft, read_rulebook
from widget.rulebook.preview import PREVIEW_NIGHTS, preview_nights, why_this_night
from widget.state import DbDep

#: The largest rules form read: a rule list of a hundred rules with many seasons fits.
RULES_FORM_LIMIT = 512 * 1024
#: The most rules one draft may hold (each is checked and previewed on every post).
MAX_RULES = 100
_RULE_TYPE = re.compile(r"^r\d+\.type$")
_MOVE = re.compile(r"^(remove|up|down)-(\d+)$")


@dataclass
class PreviewAsk:
    """What the preview is asked for: a room type, a party and perhaps one night."""

    room_type: str
    adults: int = 2
    children: tuple[int, ...] = ()
    night: date | None = None
    problem: str = ""


@dataclass
class Preview:
    """The preview panel: each night under the draft next to its price under the saved
    rules, and the quote of the night asked about."""

    ask: PreviewAsk
    nights: list[tuple[CalendarNight, CalendarNight | None]] = field(default_factory=list)
    why: Quote | None = None
    problem: str = ""


def _form_data(form: Any) -> dict[str, list[str]]:
    return {key: [str(v) for v in form.getall(key)] for key in form}


def _ask(data: FormData, book: RuleBook) -> PreviewAsk:
    """The preview's room type and party from the form; a bad party is said, not raised."""
    room = (data.get("preview_room_type") or [""])[0]
    ask = PreviewAsk(room if room in book.room_types else book.room_types[0])
    adults, children = (
        (data.get("preview_adults") or ["2"])[0],
        (data.get("preview_children") or [""])[0],
    )
    try:
        ask.adults = int(adults)
        ask.children = tuple(int(age) for age in children.replace(" ", "").split(",") if age)
        if ask.adults < 1 or any(not 0 <= age <= MAX_CHILD_AGE for age in ask.children):
            raise ValueError
    except ValueError:
        ask.adults, ask.children = 2, ()
        ask.problem = f"a party is 1 or more adults and children aged 0 to {MAX_CHILD_AGE}"
    night = (data.get("night") or [""])[0]
    try:
        asked = date.fromisoformat(night) if night else None
    except ValueError:
        asked = None
    # Only a night the preview shows can be explained (nothing near the calendar's ends).
    if asked is not None and 0 <= (asked - book.today).days < PREVIEW_NIGHTS:
        ask.night = asked
    return ask


def _edited(draft: Rules, action: str, data: FormData) -> Rules:
    """The draft after the button the owner pressed (add, remove, up, down)."""
    rules = list(draft)
    if action == "add":
        new_type = (data.get("new_type") or [""])[0]
        if new_type in rule_types():
            rules.append({"type": new_type})
        return rules
    move = _MOVE.match(action)
    if move is None:
        return rules
    verb, index = move.group(1), int(move.group(2))
    if not 0 <= index < len(rules):
        return rules
    if verb == "remove":
        del rules[index]
    else:
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
    return rules


async def _preview(db: DbDep, book: RuleBook, draft: Rules, ask: PreviewAsk) -> Preview:
    """The preview of ``draft``; only its problem when it has one."""
    problem = check_draft(book, draft)
    if problem is not None:
        return Preview(ask, problem=problem.message)
    shown = Preview(ask, problem=ask.problem)
    party = Party(adults=ask.adults, children=ask.children)
    try:
        nights = await preview_nights(db, book, draft, ask.room_type, party)
        saved = await preview_nights(db, book, book.rules, ask.room_type, party)
        if ask.night is not None:
            shown.why = await why_this_night(db, book, draft, ask.room_type, party, ask.night)
    except (PricingError, Invalid) as error:
        shown.problem = error.message
        return shown
    before = {night.date: night for night in saved}
    shown.nights = [(night, before.get(night.date)) for night in nights]
    return shown


def _input_name(problem: RuleProblem) -> str:
    """The form control a problem's key path names: ``("rules", 2, "percent")`` →
    ``r2.percent``."""
    parts = [str(p) for p in problem.path[1:]]
    return (f"r{parts[0]}" + "".join(f".{p}" for p in parts[1:])) if parts else ""


class RulesController(Controller):
    path = "/{slug:str}/rules"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012 - Litestar reads it as a class attribute
    #: The whole rule list travels in each post: room for a long one.
    request_max_body_size = RULES_FORM_LIMIT

    @get("/", operation_id="consoleRules", cache=False)
    async def rules(
        self,
        db: DbDep,
        member: MemberDep,
        saved: Annotated[bool, QueryParameter(required=False)] = False,
    ) -> Template:
        """The rules as saved, with the preview of the first room type for two adults."""
        book = await read_rulebook(db, member.slug)
        ask = PreviewAsk(book.room_types[0] if book.room_types else "")
        return await self._page(
            db, member, book, book.rules, ask, book.fingerprint, notice="saved" if saved else ""
        )

    @post("/", operation_id="consoleRulesEdit", status_code=200)
    async def edit(
        self, db: DbDep, member: MemberDep, request: Request[Any, Any, Any]
    ) -> Template | Redirect:
        """A button of the page: add, remove, move, preview (the draft drawn again), or save.
        htmx's preview (sent as the owner types) gets the preview panel alone."""
        data = _form_data(await request.form())
        if sum(1 for key in data if _RULE_TYPE.match(key)) > MAX_RULES:
            raise Invalid(f"a property has at most {MAX_RULES} rules", field="rules")
        book = await read_rulebook(db, member.slug)
        action = (data.get("action") or ["preview"])[0]
        draft = _edited(rules_from_form(data), action, data)
        based_on = (data.get("based_on") or [""])[0]
        if action == "preview" and request.headers.get("hx-request") == "true":
            return await self._preview_panel(db, member, book, draft, _ask(data, book))
        if action != "save":
            return await self._page(db, member, book, draft, _ask(data, book), based_on)
        try:
            await save_rules(db, book, draft, changed_by=member.viewer.email, based_on=based_on)
        except (Invalid, RulesChangedMeanwhile) as refused:
            return await self._page(
                db,
                member,
                book,
                draft,
                _ask(data, book),
                based_on,
                status_code=422 if isinstance(refused, Invalid) else 409,
                refusal=refused.message,
            )
        return Redirect(f"/admin/{member.slug}/rules?saved=true", status_code=303)

    async def _preview_panel(
        self, db: DbDep, member: MemberDep, book: RuleBook, draft: Rules, ask: PreviewAsk
    ) -> Template:
        """The preview panel alone, for htmx as the owner edits (nothing is saved)."""
        shown = await _preview(db, book, draft, ask)
        context: dict[str, Any] = {"preview": shown, "book": book, **formats(member)}
        return page("rules_preview.html", viewer=member.viewer, member=member, **context)

    async def _page(
        self,
        db: DbDep,
        member: MemberDep,
        book: RuleBook,
        draft: Rules,
        ask: PreviewAsk,
        based_on: str,
        *,
        status_code: int = 200,
        refusal: str = "",
        notice: str = "",
    ) -> Template:
        problem = check_draft(book, draft)
        forms: list[RuleForm] = [
            rule_form(i, table, book.room_types, book.currency) for i, table in enumerate(draft)
        ]
        shown = await _preview(db, book, draft, ask)
        types = sorted((name, info.rule_type.describe()) for name, info in rule_types().items())
        context: dict[str, Any] = {
            "book": book,
            "forms": forms,
            "problem": problem,
            "problem_input": _input_name(problem) if problem else "",
            "preview": shown,
            "based_on": based_on or book.fingerprint,
            "rule_types": types,
            "history": await rule_history(db, book.property_id, limit=10),
            "refusal": refusal,
            "notice": notice,
            **formats(member),
        }
        return page(
            "rules.html",
            viewer=member.viewer,
            member=member,
            active="rules",
            status_code=status_code,
            **context,
        )
