"""Room photos uploaded in the console: taken only when their content is a JPEG, PNG or
WebP image (never SVG, whatever the name or the declared type says), within a byte and a
pixel cap, then decoded, resized and encoded afresh as WebP, so nothing of the upload but
its pixels survives (no EXIF, no GPS position, no ICC or XMP, no trailing bytes).

The photos live in Postgres (``room_photo``): every worker on every host serves the same
bytes, with no shared disk to keep. Their URL carries the digest of the stored image, so
it never changes meaning and browsers and CDNs may keep it for ever.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from widget.db import Conn
from widget.errors import Invalid, NotFound, TooLarge, UnsupportedMedia
from widget.properties.public import photo_url
from widget.sql import queries

#: The most an uploaded photo may weigh: a phone's full-size JPEG fits.
MAX_PHOTO_BYTES = 8 * 1024 * 1024
#: The most pixels an upload may declare (a 48 MP phone photo fits); checked from the
#: header, before a single pixel is decoded, so a small file claiming a huge image (a
#: "pixel bomb") costs nothing.
MAX_PHOTO_PIXELS = 50_000_000
#: The longest side of the photo as stored and served.
SERVED_SIDE = 1600
#: The formats an upload may be, recognised by Pillow from the content alone.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
SERVED_TYPE = "image/webp"
#: Alt text is for screen readers: a sentence, not an essay.
MAX_ALT = 200


@dataclass(frozen=True)
class CleanPhoto:
    """A photo as stored: WebP bytes with nothing but pixels, and their size."""

    image: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.image).hexdigest()


@dataclass(frozen=True)
class RoomPhoto:
    """A stored photo as the Rooms page and the public description name it."""

    id: int
    room_type: str
    url: str
    alt: str
    width: int
    height: int


def _opened(upload: bytes) -> Image.Image:
    """The upload's image, if its content is one of the accepted formats (else 415)."""
    refused = UnsupportedMedia(
        "This file is not a JPEG, PNG or WebP photo (SVG and other files are not taken); "
        "export it from your photo app as JPEG and try again.",
        field="photo",
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns before its own bomb limit; ours is checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(upload), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise _too_many_pixels("far more") from None  # Pillow's own, larger limit
    except (UnidentifiedImageError, OSError, ValueError):
        raise refused from None
    if image.format not in ACCEPTED_FORMATS:
        raise refused
    return image


def _too_many_pixels(size: str) -> TooLarge:
    return TooLarge(
        f"This photo has {size} pixels than the {MAX_PHOTO_PIXELS // 1_000_000} million "
        "taken; make it smaller and try again.",
        field="photo",
    )


def _check_pixels(image: Image.Image) -> None:
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels(
            f"{width} × {height} = {width * height:,}".replace(",", " ") + ", more"
        )


def served_size(width: int, height: int) -> tuple[int, int]:
    """The size a ``width`` × ``height`` photo is served at: its longest side at most
    `SERVED_SIDE`, its shape kept (either way up, so EXIF's rotation changes nothing)."""
    scale = min(1.0, SERVED_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _decoded(image: Image.Image) -> Image.Image:
    """``image``'s pixels, decoded. A JPEG is decoded at the smallest of 1/2, 1/4 or 1/8
    of its size that still covers the served size (libjpeg scales while decoding, the
    `Image.draft` step), so a 48-megapixel phone photo costs a few megapixels of memory and
    time, not 48; the resize to the served size follows. Other formats decode in full."""
    if image.format == "JPEG":
        image.draft(None, served_size(*image.size))
    image.load()
    return image


def cleaned(upload: bytes) -> CleanPhoto:
    """``upload`` decoded, turned upright, resized to `SERVED_SIDE` and encoded as WebP
    with no metadata; `UnsupportedMedia`, `TooLarge` or `Invalid` (a broken file) if not."""
    if len(upload) > MAX_PHOTO_BYTES:
        raise TooLarge(
            f"This photo is {len(upload) / 1_048_576:.1f} MB; the most taken is "
            f"{MAX_PHOTO_BYTES // 1_048_576} MB.",
            field="photo",
        )
    image = _opened(upload)
    _check_pixels(image)
    try:
        decoded = _decoded(image)
        upright = ImageOps.exif_transpose(decoded)
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        raise Invalid("This photo's file is damaged; export it again.", field="photo") from None
    upright.thumbnail((SERVED_SIDE, SERVED_SIDE), Image.Resampling.LANCZOS)
    pixels = upright.convert("RGBA" if upright.has_transparency_data else "RGB")
    # A fresh image holds the pixels only: no info, EXIF, ICC profile or XMP to carry over.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    bare.save(out, format="WEBP", quality=82, method=4)
    return CleanPhoto(out.getvalue(), bare.width, bare.height)


async def add_photo(
    conn: Conn, property_id: int, room_type: str, photo: CleanPhoto, alt: str, added_by: str
) -> int:
    """Store ``photo`` as the last of ``room_type``'s photos; its id."""
    cur = await conn.execute(
        queries("rooms")["add_photo"],
        {
            "property_id": property_id,
            "room_type": room_type,
            "digest": photo.digest,
            "media_type": SERVED_TYPE,
            "image": photo.image,
            "width": photo.width,
            "height": photo.height,
            "alt": _alt(alt),
            "added_by": added_by,
        },
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound("No such room type.", field="room_type")
    return int(row["id"])


async def remove_photo(conn: Conn, property_id: int, photo_id: int) -> None:
    """Remove one of the property's photos (`NotFound` for another property's)."""
    cur = await conn.execute(
        queries("rooms")["remove_photo"], {"property_id": property_id, "photo_id": photo_id}
    )
    if await cur.fetchone() is None:
        raise NotFound("No such photo.", field="photo")


def _alt(alt: str) -> str:
    """The alt text as kept: trimmed; a longer one is refused rather than cut short."""
    text = " ".join(alt.split())
    if len(text) > MAX_ALT:
        raise Invalid(
            f"The description of the photo is {len(text)} characters; at most {MAX_ALT} "
            "are taken (a sentence is enough).",
            field="alt",
        )
    return text


async def set_alt(conn: Conn, property_id: int, photo_id: int, alt: str) -> None:
    """Give one of the property's photos a new alt text (`NotFound` for another's)."""
    cur = await conn.execute(
        queries("rooms")["set_photo_alt"],
        {"property_id": property_id, "photo_id": photo_id, "alt": _alt(alt)},
    )
    if await cur.fetchone() is None:
        raise NotFound("No such photo.", field="photo")


async def move_photo(conn: Conn, property_id: int, photo_id: int, to: int) -> None:
    """Put one of the property's photos at place ``to`` (0 first) among its room type's
    uploaded photos; a place past either end is the nearest end. Saying the place, not
    "one up", makes the same request twice leave it where the first put it."""
    q = queries("rooms")
    async with conn.transaction():
        cur = await conn.execute(
            q["photos_of_room_type_for_update"], {"property_id": property_id, "photo_id": photo_id}
        )
        ids = [int(row["id"]) for row in await cur.fetchall()]
        if photo_id not in ids:
            raise NotFound("No such photo.", field="photo")
        ids.remove(photo_id)
        ids.insert(max(0, min(to, len(ids))), photo_id)
        await conn.execute(q["set_photo_positions"], {"ids": ids})


async def room_photos(conn: Conn, property_id: int, slug: str) -> list[RoomPhoto]:
    """Every uploaded photo of the property, by room type and position."""
    cur = await conn.execute(queries("rooms")["photos_of_property"], {"property_id": property_id})
    return [
        RoomPhoto(
            id=int(r["id"]),
            room_type=str(r["room_type"]),
            url=photo_url(slug, int(r["id"]), str(r["digest"])),
            alt=str(r["alt"]),
            width=int(r["width"]),
            height=int(r["height"]),
        )
        for r in await cur.fetchall()
    ]


async def photo_bytes(conn: Conn, slug: str, photo_id: int, digest16: str) -> bytes:
    """The stored image of the photo with this id and digest prefix (`NotFound` when the
    photo is gone or the address names other bytes)."""
    cur = await conn.execute(
        queries("rooms")["photo_image"],
        {"slug": slug, "photo_id": photo_id, "digest_prefix": digest16},
    )
    row = await cur.fetchone()
    if row is None:
        raise NotFound("No such photo.")
    return bytes(row["image"])
