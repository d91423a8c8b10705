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
import PIL.ImageCms
import PIL.ImageOps

FOLDER = "pictures"
WIDTHS = (160, 320, 640, 1024, 1600)  # pixels; a picture narrower than one of these stops at its own width
LARGEST = 100_000_000  # pixels: a larger picture is not resized (decoding it takes gigabytes)
QUALITY = {"WEBP": 80, "JPEG": 82}
RESIZED = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "PNG", "GIF": "PNG"}  # read -> the fallback's kind
SUFFIX = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
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


class TooLarge(Exception):
    """A picture of more than LARGEST pixels."""


def widths(width: int) -> tuple[int, ...]:
    """The widths a picture this wide is resized to: its own (or the largest of WIDTHS, for a
    wider one), and those of WIDTHS below nine tenths of it (161 pixels gives no 160)."""
    largest = min(width, WIDTHS[-1])
    return (*(w for w in WIDTHS if w < largest * 0.9), largest)


def plan(src: str, data: bytes) -> Picture | None:
    """The resized files of the picture at src (media/...) with these bytes, or None when it
    is of a kind not resized (an animation, a drawing): it is then published as it is.
    Pillow's own exception when it cannot read it; TooLarge for one too large to resize."""
    with PIL.Image.open(io.BytesIO(data)) as image:
        kind, width, height = image.format, *image.size
        # an MPO is a JPEG with more pictures after the first (many phones' photos): its first is the photo
        animated = getattr(image, "is_animated", False) and kind != "MPO"
        # EXIF is read where it is written in the header; a PNG's would cost reading the whole picture
        if kind in ("JPEG", "MPO", "WEBP") and image.getexif().get(ORIENTATION) in TURNED:
            width, height = height, width
    if kind not in RESIZED or animated or not width or not height:
        return None
    if width * height > LARGEST:
        raise TooLarge(f"it has {width * height / 1e6:.0f} million pixels, more than the "
                       f"{LARGEST // 1_000_000} million a picture may have to be resized")
    path = PurePosixPath(src).relative_to("media")  # its suffix kept: a.png and a.jpg stay apart
    base = f"{FOLDER}/{path.with_suffix('')}-{path.suffix.lstrip('.') or 'image'}"
    fallback = RESIZED[kind]

    def variants(of: str) -> tuple[Variant, ...]:
        return tuple(Variant(f"{base}-{w}.{SUFFIX[of]}", w, max(1, round(height * w / width)), of)
                     for w in widths(width))

    return Picture(src, width, height, variants("WEBP"), variants(fallback))


def resize(data: bytes, variants) -> list[bytes]:
    """The picture with these bytes at each variant's size and kind: in sRGB, turned upright
    as its EXIF orientation says, and without its metadata (the camera, the place a photo
    was taken, a comment). Read once for them all, and resized once for each width."""
    with PIL.Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (WIDTHS[-1], WIDTHS[-1]))  # a large JPEG decoded at a fraction of its size
        picture = _in_srgb(PIL.ImageOps.exif_transpose(image))
    made: dict[tuple, PIL.Image.Image] = {}
    out = []
    for variant in variants:
        size = (variant.width, variant.height)
        if size not in made:
            made[size] = picture.resize(size, PIL.Image.Resampling.LANCZOS)
        out.append(_encoded(made[size], variant.kind))
    return out


def _in_srgb(picture: PIL.Image.Image) -> PIL.Image.Image:
    """The picture in RGB(A) or grey, its colours moved into sRGB when it names a profile of
    its own (what browsers assume of a picture without one)."""
    profile = picture.info.get("icc_profile")
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: scaled, not clipped
        picture = picture.point(lambda value: value / 256).convert("L")
    elif picture.mode == "P":
        picture = picture.convert("RGBA" if "transparency" in picture.info else "RGB")
    elif picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA" if "A" in picture.mode else "RGB")
    if profile:
        try:
            picture = PIL.ImageCms.profileToProfile(picture, io.BytesIO(profile), PIL.ImageCms.createProfile("sRGB"),
                                                    outputMode=picture.mode if picture.mode in ("RGB", "RGBA") else "RGB")
        except (PIL.ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile that cannot be read: the colours as they are
    picture.info = {}
    return picture


def _encoded(picture: PIL.Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    picture.info = {}  # nothing of the original's metadata travels with it
    if kind == "WEBP":
        picture.save(out, "WEBP", quality=QUALITY["WEBP"], method=2)  # 3 times quicker than 4, 5% bigger
    elif kind == "JPEG":
        picture.convert("RGB").save(out, "JPEG", quality=QUALITY["JPEG"], optimize=True, progressive=True)
    else:
        picture.save(out, "PNG", compress_level=6)
    return out.getvalue()
