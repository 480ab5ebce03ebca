"""Rooms (``/admin/{slug}/rooms``, owners only): the room types and their units, each
room type's description in every language the widget speaks, and its photos.

Room types and units are changed as the property file would change them
(`widget.rooms.edits`): the same checks and messages as ``innkeep property apply``, and
the change is in the next ``innkeep property export``. Photos are uploaded here, checked
by their content and stored re-encoded (`widget.rooms.photos`); the property file does
not carry them.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from engine import to_major
from widget.console.access import MemberDep, requires
from widget.console.pages import page
from widget.errors import InnkeepError, Invalid
from widget.http_errors import status_of
from widget.i18n import LANGUAGE_NAMES, LANGUAGES
from widget.intake import ACCEPTS, FORM
from widget.rooms.edits import Change, add_room, change_room, edit_property, remove_room
from widget.rooms.photos import (
    MAX_PHOTO_BYTES,
    add_photo,
    cleaned,
    move_photo,
    remove_photo,
    room_photos,
    set_alt,
)
from widget.sql import queries
from widget.state import DbDep, ServicesDep

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
PhotoId = Annotated[int, PathParameter(description="the photo's id")]
Done = Annotated[int | None, QueryParameter(required=False, description="1 after a save")]
RoomSlug = Annotated[str, PathParameter(description="the room type's slug", max_length=64)]
#: The upload's body may be larger than a photo may be, so that a photo just over the cap
#: is told so on the page, not by a bare 413.
UPLOAD_LIMIT = 2 * MAX_PHOTO_BYTES


class RoomsController(Controller):
    path = "/{slug:str}/rooms"
    include_in_schema = False
    guards = [requires("owner")]  # noqa: RUF012 - Litestar reads it as a class attribute
    opt = {ACCEPTS: FORM}  # noqa: RUF012

    @get("/", operation_id="consoleRooms", cache=False)
    async def rooms(self, db: DbDep, member: MemberDep, done: Done = None) -> Template:
        """Every room type with its units, descriptions and photos."""
        return await rooms_page(db, member, done=bool(done))

    @post("/", operation_id="consoleAddRoomType", status_code=303)
    async def add(self, db: DbDep, services: ServicesDep, member: MemberDep, data: Form) -> Any:
        """Add a room type with its units."""
        return await self._edit(db, services, member, add_room(data), data, editing="")

    @post("/{room_type:str}", operation_id="consoleSaveRoomType", status_code=303)
    async def save(
        self, db: DbDep, services: ServicesDep, member: MemberDep, room_type: RoomSlug, data: Form
    ) -> Any:
        """Save a room type (``action=save``) or take it away (``action=remove``)."""
        change = (
            remove_room(room_type)
            if data.get("action") == "remove"
            else (change_room(room_type, data))
        )
        return await self._edit(db, services, member, change, data, editing=room_type)

    async def _edit(
        self,
        db: DbDep,
        services: ServicesDep,
        member: MemberDep,
        change: Change,
        data: dict[str, str],
        editing: str,
    ) -> Any:
        url = services.settings.database_url
        assert url is not None  # create_app refuses to start without one
        try:
            await to_thread.run_sync(edit_property, url, member.slug, change)
        except Invalid as wrong:
            return await rooms_page(
                db, member, error=wrong, editing=editing, posted=data, status_code=422
            )
        return Redirect(f"/admin/{member.slug}/rooms?done=1", status_code=303)

    @post(
        "/{room_type:str}/photos",
        operation_id="consoleAddPhoto",
        status_code=303,
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def upload(self, db: DbDep, member: MemberDep, room_type: RoomSlug, data: Upload) -> Any:
        """Add a photo (JPEG, PNG or WebP by its content), re-encoded without metadata."""
        upload = data.get("photo")
        try:
            if not isinstance(upload, UploadFile):
                raise Invalid("Choose a photo to upload.", field="photo")
            photo = await to_thread.run_sync(cleaned, await upload.read())
            alt = data.get("alt")
            await add_photo(
                db,
                member.property_id,
                room_type,
                photo,
                alt if isinstance(alt, str) else "",
                member.viewer.email,
            )
        except InnkeepError as refused:
            return await rooms_page(
                db, member, error=refused, editing=room_type, status_code=status_of(refused)
            )
        return Redirect(f"/admin/{member.slug}/rooms?done=1#photos-{room_type}", status_code=303)

    @post("/photos/{photo_id:int}/remove", operation_id="consoleRemovePhoto", status_code=303)
    async def remove(self, db: DbDep, member: MemberDep, photo_id: PhotoId) -> Redirect:
        """Take a photo away (its address stops answering)."""
        await remove_photo(db, member.property_id, photo_id)
        return Redirect(f"/admin/{member.slug}/rooms", status_code=303)

    @post("/photos/{photo_id:int}/alt", operation_id="consolePhotoAlt", status_code=303)
    async def alt(self, db: DbDep, member: MemberDep, photo_id: PhotoId, data: Form) -> Any:
        """Say again what a photo shows (its alt text, for screen readers)."""
        try:
            await set_alt(db, member.property_id, photo_id, data.get("alt", ""))
        except Invalid as wrong:
            return await rooms_page(
                db,
                member,
                error=wrong,
                editing=f"photo-{photo_id}",
                posted={"alt": data.get("alt", "")},
                status_code=422,
            )
        return Redirect(f"/admin/{member.slug}/rooms?done=1#photo-{photo_id}", status_code=303)

    @post("/photos/{photo_id:int}/move", operation_id="consoleMovePhoto", status_code=303)
    async def move(self, db: DbDep, member: MemberDep, photo_id: PhotoId, data: Form) -> Any:
        """Put a photo at another place among its room type's (``to``: 0 is first)."""
        to = data.get("to", "")
        if not to.isdigit() or len(to) > 4:
            raise Invalid("Say where the photo goes (a place from 0).", field="to")
        await move_photo(db, member.property_id, photo_id, int(to))
        return Redirect(f"/admin/{member.slug}/rooms?done=1#photo-{photo_id}", status_code=303)


async def rooms_page(
    db: DbDep,
    member: MemberDep,
    *,
    error: InnkeepError | None = None,
    editing: str = "",
    posted: dict[str, str] | None = None,
    status_code: int = 200,
    done: bool = False,
) -> Template:
    """The Rooms page; after a refused change, with its message and what was typed."""
    cur = await db.execute(
        queries("properties")["room_types_for_export"], {"property_id": member.property_id}
    )
    rooms = await cur.fetchall()
    photos = await room_photos(db, member.property_id, member.slug)
    languages = [member.locale, *(lang for lang in LANGUAGES if lang != member.locale)]
    return page(
        "rooms.html",
        viewer=member.viewer,
        member=member,
        active="rooms",
        rooms=rooms,
        photos=photos,
        languages=languages,
        error=error,
        editing=editing,
        posted=posted or {},
        done=done,
        major=lambda minor: to_major(minor, member.currency),
        language_names=LANGUAGE_NAMES,
        status_code=status_code,
    )
