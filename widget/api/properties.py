"""The public description of a property and its room types."""

from __future__ import annotations

from litestar import Controller, get

from widget.api.params import PropertySlug
from widget.api.responses import errors
from widget.properties.public import PropertyOut, public_property
from widget.state import DbDep


class PropertyController(Controller):
    path = "/api/v1/properties"
    tags = ("properties",)

    @get("/{slug:str}", operation_id="getProperty", responses=errors(404, 503))
    async def get_property(
        self,
        db: DbDep,
        slug: PropertySlug,
    ) -> PropertyOut:
        """A property as guests see it, with its bookable room types."""
        return await public_property(db, slug)
