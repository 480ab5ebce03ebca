"""The property's people (``/admin/{slug}/people``): who may use the console, as what, and
whether everyone must use two-factor login; inviting someone by e-mail and taking someone
off. Only owners see it: users are their business."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from widget.accounts.invites import invite, other_owners
from widget.accounts.users import account_email, list_users, remove_user
from widget.console.access import MemberDep, requires
from widget.console.pages import page
from widget.errors import Conflict, InnkeepError, QuotaExceeded
from widget.http_errors import status_of
from widget.intake import ACCEPTS, FORM
from widget.links import site_url
from widget.sql import queries
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
#: The notices a finished action leaves in the address (``?done=``).
DONE = ("invited", "removed")


class PeopleController(Controller):
    path = "/{slug:str}/people"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consolePeople", cache=False)
    async def people(
        self, request: Request[Any, Any, Any], db: DbDep, member: MemberDep
    ) -> Template:
        """The property's console users and their roles."""
        done = request.query_params.get("done")
        return await _people_page(db, member, done=done if done in DONE else None)

    @post("/two-factor", operation_id="consoleRequireTwoFactor", status_code=303)
    async def require_two_factor(self, db: DbDep, member: MemberDep, data: Form) -> Response[None]:
        """Require (or stop requiring) two-factor login of everyone on the property."""
        required = data.get("required") == "on"
        await db.execute(
            queries("console")["require_two_factor"],
            {"property_id": member.property_id, "required": required},
        )
        return Redirect(f"/admin/{member.slug}/people", status_code=303)

    @post("/invite", operation_id="consoleInvite", status_code=303)
    async def invite(self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form) -> Any:
        """E-mail a single-use invitation to the console (staff unless said otherwise)."""
        try:
            await invite(
                db,
                member.property_id,
                member.name,
                data.get("email", "")[:320],
                data.get("role", "staff"),
                member.viewer.email,
                site_url(services.settings),
            )
        except InnkeepError as wrong:
            return await _people_page(db, member, error=wrong, typed=data.get("email", ""))
        return Redirect(f"/admin/{member.slug}/people?done=invited", status_code=303)

    @post("/remove", operation_id="consoleRemovePerson", status_code=303)
    async def remove(self, db: DbDep, member: MemberDep, data: Form) -> Any:
        """Take someone off the property (their sessions end with their last property);
        the last owner stays."""
        try:
            email = account_email(data.get("email", "")[:320])
            if await other_owners(db, member.property_id, email) == 0:
                raise Conflict(
                    "The property needs an owner: invite another before you remove the last one.",
                    field="email",
                )
            await remove_user(db, email, member.slug)
        except InnkeepError as wrong:
            return await _people_page(db, member, error=wrong)
        return Redirect(f"/admin/{member.slug}/people?done=removed", status_code=303)


async def _people_page(
    db: DbDep,
    member: MemberDep,
    *,
    done: str | None = None,
    error: InnkeepError | None = None,
    typed: str = "",
) -> Template:
    users = await list_users(db, member.slug)
    return page(
        "people.html",
        viewer=member.viewer,
        member=member,
        active="people",
        users=users,
        done=done,
        error=error,
        typed=typed,
        status_code=status_of(error) if error else 200,
        # As a throttled login answers: 429 and when to try again.
        headers=(
            {"Retry-After": str(error.retry_after)} if isinstance(error, QuotaExceeded) else None
        ),
    )
