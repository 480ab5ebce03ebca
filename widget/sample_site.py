"""A plain guesthouse website for the demo, served on its own origin, that embeds Innkeep
with the one script tag an owner would paste."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template import TemplateConfig

from widget.paths import TEMPLATES_DIR


def create_sample_site(service_url: str, property_slug: str = "demo") -> Litestar:
    """The sample site; ``service_url`` is where the Innkeep service answers."""

    @get("/", sync_to_thread=False, include_in_schema=False)
    def home() -> Template:
        return Template(
            "sample_site.html",
            context={"service_url": service_url.rstrip("/"), "property_slug": property_slug},
        )

    return Litestar(
        route_handlers=[home],
        template_config=TemplateConfig(directory=TEMPLATES_DIR, engine=JinjaTemplateEngine),
        openapi_config=None,
    )
