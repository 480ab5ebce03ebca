"""The Rooms page: room types, units and descriptions changed as the property file would
be (and kept through export and apply), and photos taken only when they are what they
claim, served re-encoded without their metadata."""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Any

import psycopg
import pytest
from PIL import ExifTags, Image, PngImagePlugin

from tests.console.conftest import OWNER, csrf_of, enter
from tests.helpers import DEMO_TOML
from widget.properties.apply import apply_property
from widget.properties.export import export_property
from widget.properties.file import parse_property


def _jpeg(width: int, height: int, *, exif: bool = False) -> bytes:
    """A photo as a phone saves it: with the camera's make and where it was taken."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    out = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[ExifTags.Base.Make] = "PhoneMaker"
        tags[ExifTags.Base.Model] = "SecretCam 9"
        tags[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (45.0, 26.0, 15.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (12.0, 20.0, 5.0),
        }
        image.save(out, format="JPEG", exif=tags)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def _with_metadata(kind: str, width: int, height: int) -> bytes:
    """A PNG or WebP carrying what a camera or an editor leaves: EXIF with the camera and
    where it was, XMP, and (PNG) a text chunk."""
    image = Image.new("RGBA" if kind == "PNG" else "RGB", (width, height), (40, 120, 200))
    tags = Image.Exif()
    tags[ExifTags.Base.Make] = "PhoneMaker"
    tags[ExifTags.Base.Model] = "SecretCam 9"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">SecretEditor</x:xmpmeta>'
    out = io.BytesIO()
    if kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Author", "SecretAuthor")
        text.add_itxt("XML:com.adobe.xmp", xmp.decode())
        image.save(out, format="PNG", exif=tags, pnginfo=text)
    else:
        image.save(out, format="WEBP", exif=tags, xmp=xmp, lossless=True)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _pixel_bomb(side: int) -> bytes:
    """A PNG of a few dozen bytes that claims ``side`` × ``side`` pixels."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


async def _rooms(client: Any) -> tuple[str, str]:
    page = await client.get("/admin/demo/rooms")
    assert page.status_code == 200, page.text
    return page.text, csrf_of(page.text)


async def _upload(
    client: Any, token: str, name: str, body: bytes, kind: str, room: str = "double-sea-view"
) -> Any:
    return await client.post(
        f"/admin/demo/rooms/{room}/photos",
        data={"_csrf_token": token, "alt": "The room"},
        files={"photo": (name, body, kind)},
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    ("name", "body", "kind", "status", "says"),
    [
        ("room.svg", SVG, "image/svg+xml", 415, "not a JPEG, PNG or WebP photo"),
        ("room.jpg", HTML, "image/jpeg", 415, "not a JPEG, PNG or WebP photo"),
        (
            "room.jpg",
            _jpeg(8, 8) + b"\x00" * (9 * 1024 * 1024),
            "image/jpeg",
            413,
            "the most taken is 8 MB",
        ),
        ("room.png", _pixel_bomb(60_000), "image/png", 413, "pixels than the 50 million"),
        (
            "room.png",
            _pixel_bomb(8_000),
            "image/png",
            413,
            "8000 × 8000 = 64 000 000, more pixels than the 50 million taken",
        ),
    ],
    ids=["svg", "renamed-html", "oversize", "pixel-bomb", "too-many-pixels"],
)
async def test_what_is_not_a_photo_of_a_fair_size_is_refused_with_a_clear_message(
    app_client: Any,
    people: psycopg.Connection[Any],
    name: str,
    body: bytes,
    kind: str,
    status: int,
    says: str,
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    answer = await _upload(app_client, token, name, body, kind)
    assert answer.status_code == status, answer.text[:300]
    assert 'data-testid="rooms-error"' in answer.text
    assert says in answer.text
    assert people.execute("SELECT count(*) FROM room_photo").fetchone() == (0,)


async def test_a_photo_is_served_resized_without_its_exif_and_cached_for_good(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    original = _jpeg(2400, 1200, exif=True)
    assert b"SecretCam" in original and Image.open(io.BytesIO(original)).getexif()
    answer = await _upload(app_client, token, "IMG_0001.JPG", original, "image/jpeg")
    assert answer.status_code == 303, answer.text[:300]
    html, _ = await _rooms(app_client)
    found = re.search(r'data-testid="room-photo"[^>]*>\s*<img src="([^"]+)"', html)
    assert found is not None, html
    url = found[1]
    served = await app_client.get(url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "WEBP" and image.size == (1600, 800)
    assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    assert b"SecretCam" not in served.content and b"PhoneMaker" not in served.content
    # Guests see it with the room type; another address for other bytes answers nothing.
    described = (await app_client.get("/api/v1/properties/demo")).json()
    room = next(r for r in described["room_types"] if r["slug"] == "double-sea-view")
    assert {"url": url, "alt": "The room"} in room["photos"]
    assert (
        await app_client.get(re.sub(r"-[0-9a-f]{16}\.", "-0123456789abcdef.", url))
    ).status_code == 404
    # Removed, its address stops answering.
    photo_id = re.search(r'data-photo="(\d+)"', html)
    assert photo_id is not None
    removed = await app_client.post(
        f"/admin/demo/rooms/photos/{photo_id[1]}/remove",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert (await app_client.get(url)).status_code == 404


@pytest.mark.parametrize(("kind", "name"), [("PNG", "plan.png"), ("WEBP", "view.webp")])
async def test_a_png_or_webp_photo_is_taken_re_encoded_without_its_metadata(
    app_client: Any, people: psycopg.Connection[Any], kind: str, name: str
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    original = _with_metadata(kind, 2400, 1200)
    assert Image.open(io.BytesIO(original)).format == kind
    for secret in (b"SecretCam", b"SecretEditor", *([b"SecretAuthor"] * (kind == "PNG"))):
        assert secret in original
    answer = await _upload(app_client, token, name, original, f"image/{kind.lower()}")
    assert answer.status_code == 303, answer.text[:300]
    html, _ = await _rooms(app_client)
    found = re.search(r'data-testid="room-photo"[^>]*>\s*<img src="([^"]+)"', html)
    assert found is not None, html
    served = await app_client.get(found[1])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.content != original
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "WEBP" and image.size == (1600, 800)
    assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    for secret in (b"PhoneMaker", b"SecretCam", b"SecretEditor", b"SecretAuthor"):
        assert secret not in served.content


async def test_room_changes_are_checked_as_the_file_is_and_survive_export_and_apply(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    form = {
        "_csrf_token": token,
        "action": "save",
        "name": "Double with a sea view",
        "max_guests": "2",
        "included_guests": "2",
        "base_price": "150.50",
        "units": "Room 1\nRoom 2\nRoom 3\nRoom 7",
        "description_en": "Bright, over the harbour.",
        "description_de": "Hell, über dem Hafen.",
        "description_it": "Luminosa, sul porto.",
    }
    wrong = await app_client.post(
        "/admin/demo/rooms/double-sea-view",
        data={**form, "included_guests": "3"},
        follow_redirects=False,
    )
    assert wrong.status_code == 422
    assert "included_guests: must not exceed max_guests (2)" in wrong.text
    assert 'data-field="included_guests"' in wrong.text
    assert "Room 7" not in export_property(people, "demo")  # nothing changed
    saved = await app_client.post(
        "/admin/demo/rooms/double-sea-view", data=form, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text[:500]
    exported = export_property(people, "demo")
    assert 'units = ["Room 1", "Room 2", "Room 3", "Room 7"]' in exported
    assert 'de = "Hell, über dem Hafen."' in exported and "base_price = 150.50" in exported
    assert apply_property(people, parse_property(exported)).changed == []
    described = (await app_client.get("/api/v1/properties/demo")).json()
    room = next(r for r in described["room_types"] if r["slug"] == "double-sea-view")
    assert room["description"] == "Bright, over the harbour."
    assert room["descriptions"]["it"] == "Luminosa, sul porto." and room["units"] == 4


async def test_a_room_edit_keeps_the_ical_feeds_connected(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    feed = (
        '\n[[feeds]]\nunit = "Room 1"\nname = "Airbnb"\n'
        'url = "https://calendar.example/room-1.ics"\ninterval = 15\n'
    )
    apply_property(people, parse_property(DEMO_TOML + feed))
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    saved = await app_client.post(
        "/admin/demo/rooms/garden-single",
        data={
            "_csrf_token": token,
            "action": "save",
            "name": "Garden single",
            "max_guests": "1",
            "included_guests": "1",
            "base_price": "90",
            "units": "Room 6",
            "description_en": "Quiet.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:300]
    row = people.execute("SELECT url, interval_seconds FROM channel_feed").fetchone()
    assert row == ("https://calendar.example/room-1.ics", 900)


def _photo_ids(html: str, room: str = "double-sea-view") -> list[str]:
    """The uploaded photos of ``room`` in the order the Rooms page lists them."""
    section = html.split(f'id="photos-{room}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-testid="room-photo" data-photo="(\d+)"', section)


async def test_an_owner_orders_photos_and_says_again_what_they_show(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    for shade in range(3):
        answer = await _upload(
            app_client, token, f"{shade}.jpg", _jpeg(40 + shade, 30), "image/jpeg"
        )
        assert answer.status_code == 303
    html, _ = await _rooms(app_client)
    first, second, third = _photo_ids(html)

    async def guests_see() -> list[tuple[str, str]]:
        described = (await app_client.get("/api/v1/properties/demo")).json()
        room = next(r for r in described["room_types"] if r["slug"] == "double-sea-view")
        found = [re.search(r"/(\d+)-[0-9a-f]{16}\.webp$", p["url"]) for p in room["photos"]]
        return [(m[1], p["alt"]) for m, p in zip(found, room["photos"], strict=True) if m]

    # The last one first (the place is said, so sending it twice leaves it there).
    for _ in range(2):
        moved = await app_client.post(
            f"/admin/demo/rooms/photos/{third}/move",
            data={"_csrf_token": token, "to": "0"},
            follow_redirects=False,
        )
        assert moved.status_code == 303
    html, _ = await _rooms(app_client)
    assert _photo_ids(html) == [third, first, second]

    # The first photo can only go later (to the second place), the last only earlier.
    def places(photo: str) -> list[str]:
        item = html.split(f'data-photo="{photo}"', 1)[1].split("</li>", 1)[0]
        return re.findall(r'name="to" value="(\d+)">\s*<button[^>]*data-testid="photo-(\w+)"', item)

    assert places(third) == [("1", "later")]
    assert places(first) == [("0", "earlier"), ("2", "later")]
    assert places(second) == [("1", "earlier")]
    await app_client.post(
        f"/admin/demo/rooms/photos/{first}/move", data={"_csrf_token": token, "to": "9"}
    )
    assert _photo_ids((await _rooms(app_client))[0]) == [third, second, first]

    saved = await app_client.post(
        f"/admin/demo/rooms/photos/{second}/alt",
        data={"_csrf_token": token, "alt": "  The balcony   at dusk "},
        follow_redirects=True,
    )
    assert 'data-testid="rooms-saved"' in saved.text
    assert f'id="alt-of-{second}" name="alt" maxlength="200" value="The balcony at dusk"' in (
        saved.text
    )
    assert await guests_see() == [
        (third, "The room"),
        (second, "The balcony at dusk"),
        (first, "The room"),
    ]

    # Too long is refused, with what was typed kept in its field, and changes nothing.
    essay = "A view " * 40
    refused = await app_client.post(
        f"/admin/demo/rooms/photos/{first}/alt", data={"_csrf_token": token, "alt": essay}
    )
    assert refused.status_code == 422
    assert 'data-field="alt"' in refused.text and "at most 200" in refused.text
    assert f'value="{essay}"' in refused.text
    assert (await guests_see())[2] == (first, "The room")


async def test_another_propertys_photo_is_not_this_owners_to_move_or_describe(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    from tests.console.conftest import STRANGER

    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    assert (
        await _upload(app_client, token, "a.jpg", _jpeg(40, 30), "image/jpeg")
    ).status_code == 303
    (photo,) = _photo_ids((await _rooms(app_client))[0])
    enter(app_client, people, STRANGER)
    page = await app_client.get("/admin/other/rooms")
    token = csrf_of(page.text)
    for action, form in (("alt", {"alt": "Mine now"}), ("move", {"to": "0"})):
        answer = await app_client.post(
            f"/admin/other/rooms/photos/{photo}/{action}", data={"_csrf_token": token, **form}
        )
        assert answer.status_code == 404, action
    assert people.execute("SELECT alt FROM room_photo").fetchall() == [("The room",)]
    bad = await app_client.post(
        f"/admin/other/rooms/photos/{photo}/move", data={"_csrf_token": token, "to": "first"}
    )
    assert bad.status_code == 422


def _big_jpeg(width: int, height: int) -> bytes:
    """A real JPEG of ``width`` × ``height`` pixels, small on disk (one grey, low quality)."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, format="JPEG", quality=5)
    return out.getvalue()


def _declaring(jpeg: bytes, width: int, height: int) -> bytes:
    """``jpeg`` with its frame header (SOF0) claiming ``width`` × ``height``: a file of a
    few hundred bytes that says it is a huge photo."""
    at = jpeg.index(b"\xff\xc0") + 5  # marker, length (2), precision (1), then height, width
    return jpeg[:at] + struct.pack(">HH", height, width) + jpeg[at + 4 :]


def test_a_48_megapixel_jpeg_is_decoded_at_a_quarter_of_its_size() -> None:
    from widget.rooms.photos import _decoded, _opened, cleaned

    upload = _big_jpeg(8000, 6000)
    # libjpeg scales while decoding: 2000 × 1500 (3 megapixels) still covers the served
    # 1600 × 1200, so the 48 million pixels are never all in memory.
    assert _decoded(_opened(upload)).size == (2000, 1500)
    photo = cleaned(upload)
    assert (photo.width, photo.height) == (1600, 1200)
    # Upright first: a portrait's served size is its own.
    assert _decoded(_opened(_big_jpeg(3000, 4000))).size == (1500, 2000)


async def test_a_jpeg_declaring_too_many_pixels_is_refused_before_decoding(
    app_client: Any, people: psycopg.Connection[Any]
) -> None:
    enter(app_client, people, OWNER)
    _, token = await _rooms(app_client)
    bomb = _declaring(_jpeg(16, 16), 10_000, 8_000)
    assert len(bomb) < 2_000 and Image.open(io.BytesIO(bomb)).size == (10_000, 8_000)
    answer = await _upload(app_client, token, "huge.jpg", bomb, "image/jpeg")
    assert answer.status_code == 413
    assert "10000 × 8000 = 80 000 000, more pixels than the 50 million taken" in answer.text
    assert people.execute("SELECT count(*) FROM room_photo").fetchone() == (0,)
