"""The pictures the content gives (an article's lead image, an actor's portrait or logo)
in the sizes readers' screens need: each resized at build time, with Pillow, into a few
widths, as WebP and, for a browser without WebP, in the picture's own kind (JPEG, or PNG
for anything else), so that a phone does not fetch a picture made for a wide screen.

A resized file is named by the picture's path and its width, under pictures/ in the built
site, where no page, static or media file goes. Its bytes depend on the picture's bytes,
the width and Pillow's version alone, so the builder keeps them (cache.py) and a rebuild
does not resize again. A picture Pillow cannot resize (an animation, a vector drawing, a
damaged file) is published as it is, and only so."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import PurePosixPath

import PIL
import PIL.Image
import PIL.ImageOps

FOLDER = "pictures"
WIDTHS = (160, 320, 640, 1024, 1600)  # pixels; a picture narrower than one of these stops at its own width
QUALITY = {"WEBP": 80, "JPEG": 82}
RESIZED = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "PNG", "GIF": "PNG"}  # what Pillow read -> the fallback's kind
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ORIENTATION, TURNED = 0x0112, (5, 6, 7, 8)  # the EXIF tag, and its values for a picture on its side
VERSION = PIL.__version__  # part of each resized file's key: another Pillow may encode other bytes


@dataclass(frozen=True)
class Variant:
    path: str  # in the built site
    width: int
    height: int
    kind: str  # Pillow's format name: WEBP, JPEG or PNG


@dataclass(frozen=True)
class Picture:
    """A picture and its resized files, smallest first, in WebP and in the fallback kind."""

    src: str  # media/...
    width: int
    height: int
    webp: tuple[Variant, ...]
    fallback: tuple[Variant, ...]

    @property
    def variants(self) -> tuple[Variant, ...]:
        return self.webp + self.fallback


def widths(width: int) -> tuple[int, ...]:
    """The widths a picture this wide is resized to: those of WIDTHS below it, and its own
    (or the largest of WIDTHS, for a wider one)."""
    return (*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1]))


class Unreadable(Exception):
    """A picture Pillow cannot read: damaged, or not the kind its name says."""


def plan(src: str, data: bytes) -> Picture | None:
    """The resized files of the picture at src (media/...) with these bytes, or None when it
    is of a kind not resized (an animation, a drawing): it is then published as it is.
    Unreadable when Pillow cannot read it."""
    try:
        with PIL.Image.open(io.BytesIO(data)) as image:
            kind, animated = image.format, getattr(image, "is_animated", False)
            width, height = image.size
            if image.getexif().get(ORIENTATION) in TURNED:
                width, height = height, width
    except (OSError, ValueError, SyntaxError, PIL.Image.DecompressionBombError) as exc:
        raise Unreadable(str(exc) or type(exc).__name__) from None
    if kind not in RESIZED or animated or not width or not height:
        return None
    path = PurePosixPath(src).relative_to("media")  # its suffix kept: a.png and a.jpg stay apart
    base = f"{FOLDER}/{path.with_suffix('')}-{path.suffix.lstrip('.').lower() or 'image'}"
    fallback = RESIZED[kind]

    def variants(of: str) -> tuple[Variant, ...]:
        return tuple(Variant(f"{base}-{w}.{SUFFIX[of]}", w, max(1, round(height * w / width)), of)
                     for w in widths(width))

    return Picture(src, width, height, variants("WEBP"), variants(fallback))


def resize(data: bytes, variants) -> list[bytes]:
    """The picture with these bytes at each variant's size and kind, without its metadata
    (the camera, the place a photo was taken), turned as its EXIF orientation says: read
    once for them all."""
    with PIL.Image.open(io.BytesIO(data)) as image:
        picture = PIL.ImageOps.exif_transpose(image)
        if picture.mode not in ("RGB", "RGBA", "L", "LA"):
            picture = picture.convert("RGBA" if "transparency" in picture.info or "A" in picture.mode else "RGB")
        return [_encoded(picture.resize((v.width, v.height), PIL.Image.Resampling.LANCZOS), v.kind) for v in variants]


def _encoded(picture: PIL.Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "WEBP":
        picture.save(out, "WEBP", quality=QUALITY["WEBP"], method=2)  # 3 times quicker than 4, 5% bigger
    elif kind == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=QUALITY["JPEG"], optimize=True, progressive=True)
    else:
        picture.save(out, "PNG", compress_level=6)
    return out.getvalue()
