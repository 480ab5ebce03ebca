"""The public description of a property and its room types."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import Parameter

from widget.properties import PropertyOut, public_property
from widget.state import DbDep


class PropertyController(Controller):
    path = "/api/v1/properties"
    tags = ("properties",)

    @get("/{slug:str}", operation_id="getProperty")
    async def get_property(
        self,
        db: DbDep,
        slug: Annotated[str, Parameter(description="The property's slug, e.g. `demo`.")],
    ) -> PropertyOut:
        """A property as guests see it, with its bookable room types."""
        return await public_property(db, slug)
