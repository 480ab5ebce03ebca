"""Room photos uploaded in the console, served to guests (and to the console)."""

from __future__ import annotations

import re
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import PathParameter

from widget.api.params import PropertySlug
from widget.errors import NotFound
from widget.rooms.photos import SERVED_TYPE, photo_bytes
from widget.state import DbDep

#: ``{id}-{first 16 hex digits of the image's SHA-256}.webp``: a new image gets a new name.
_NAME = re.compile(r"^(?P<id>[1-9][0-9]{0,17})-(?P<digest>[0-9a-f]{16})\.webp$")
#: The name says which bytes these are, so they never change: cached for a year, unasked.
PHOTO_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    # Opened on its own, it is an image and nothing else.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",
}


class PhotoController(Controller):
    path = "/photos"
    include_in_schema = False

    @get("/{slug:str}/{name:str}", operation_id="roomPhoto", cache=False)
    async def photo(
        self,
        db: DbDep,
        slug: PropertySlug,
        name: Annotated[str, PathParameter(description="the photo's versioned file name")],
    ) -> Response[bytes]:
        """One uploaded photo, as stored (WebP, no metadata)."""
        found = _NAME.match(name)
        if found is None:
            raise NotFound("No such photo.")
        image = await photo_bytes(db, slug, int(found["id"]), found["digest"])
        return Response(image, media_type=SERVED_TYPE, headers=PHOTO_HEADERS)
