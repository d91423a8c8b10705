"""The pictures the content gives, resized at build time into the sizes readers need."""

import io
import os
import re

import pytest
from PIL import Image

from conftest import MINIMAL, ROOT
from generator import pictures
from generator.build import build
from tools.browser import chromium_path
from tools.sitehttp import SiteServer


def encoded(width, height, kind="PNG", **options) -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(data, kind, **options)
    return data.getvalue()


def with_pictures(site, lead: bytes, lead_name="lead.jpg", portrait: bytes | None = None):
    article = MINIMAL["content/articles/first.md"].replace(
        "title: First", f"title: First\nimage: {{src: media/{lead_name}, alt: The harbour, caption: At dusk, credit: Desk}}")
    files = {"content/articles/first.md": article, f"content/media/{lead_name}": lead}
    if portrait is not None:
        files["content/actors/ana-lima.yaml"] = MINIMAL["content/actors/ana-lima.yaml"] + \
            "image: {src: media/ana.png, alt: Ana Lima, credit: Desk}\n"
        files["content/media/ana.png"] = portrait
    return site(files)


def test_a_lead_picture_is_published_in_every_size_it_needs_and_no_larger(site, tmp_path):
    root = with_pictures(site, encoded(1200, 800, "JPEG"), portrait=encoded(300, 300))
    out = tmp_path / "out"
    assert build(root, output=out).ok
    page = (out / "articles/first/index.html").read_text()
    tag = re.search(r"<picture>.*?</picture>", page, re.S).group(0)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', tag).group(1)
    fallback = re.search(r'<img src="[^"]+" srcset="([^"]+)"', tag).group(1)
    for srcset, kind in ((webp, "WEBP"), (fallback, "JPEG")):
        widths = []
        for entry in srcset.split(", "):
            address, width = entry.split(" ")
            with Image.open(out / address.removeprefix("/tiny/")) as made:
                assert made.format == kind and made.width == int(width[:-1]) and made.height == round(made.width * 2 / 3)
            widths.append(made.width)
        assert widths == [160, 320, 640, 1024, 1200]  # none wider than the picture itself
    assert 'fetchpriority="high"' in tag and 'loading="lazy"' not in tag  # the lead is above the fold
    assert "At dusk" in page and "Desk" in page
    avatar = re.search(r'<img class="avatar[^>]*>', page).group(0)
    assert 'loading="lazy"' in avatar and 'alt=""' in avatar  # the name beside it says who it is
    assert sorted(p.name for p in (out / "pictures").iterdir() if p.name.startswith("ana")) == [
        "ana-png-160.png", "ana-png-160.webp", "ana-png-300.png", "ana-png-300.webp"]


def test_a_resized_picture_keeps_none_of_the_original_metadata(site, tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # taken on its side
    exif[0x8825] = {2: (59.0, 54.0, 0.0)}  # where it was taken
    root = with_pictures(site, encoded(800, 600, "JPEG", exif=exif.tobytes()))
    assert build(root, output=tmp_path / "out").ok
    with Image.open(tmp_path / "out/pictures/lead-jpg-600.jpg") as made:
        assert made.size == (600, 800)  # turned upright as its orientation says
        assert not made.getexif()


def test_a_new_process_takes_the_resized_pictures_from_the_cache(site, tmp_path, monkeypatch):
    root = with_pictures(site, encoded(900, 600, "JPEG"))
    first = build(root, output=tmp_path / "one")
    assert first.ok
    made = {p.relative_to(tmp_path / "one"): p.read_bytes() for p in (tmp_path / "one/pictures").rglob("*")}

    def refuse(*args):
        raise AssertionError("resized again")
    monkeypatch.setattr(pictures, "resize", refuse)
    assert build(root, output=tmp_path / "two").ok  # no output/ there, as on a fresh runner
    assert {p.relative_to(tmp_path / "two"): p.read_bytes() for p in (tmp_path / "two/pictures").rglob("*")} == made


def test_a_picture_that_cannot_be_resized_is_shown_as_it_is(site, tmp_path):
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    root = with_pictures(site, animated.getvalue(), lead_name="moving.gif")
    out = tmp_path / "out"
    result = build(root, output=out)
    assert result.ok and not result.diagnostics.items
    page = (out / "articles/first/index.html").read_text()
    assert '<img src="/tiny/media/moving.gif" alt="The harbour" width="40" height="30"' in page
    assert not (out / "pictures").exists()


def test_a_damaged_picture_is_a_warning_not_a_failure(site, tmp_path):
    whole = encoded(900, 600, "PNG")
    root = with_pictures(site, whole[:len(whole) // 2], lead_name="cut.png")  # its header says 900 by 600
    result = build(root, output=tmp_path / "out")
    assert result.ok
    assert [d.location.file for d in result.diagnostics.warnings] == ["content/media/cut.png"]
    assert "cannot be resized" in result.diagnostics.warnings[0].message
    assert '<img src="/tiny/media/cut.png"' in (tmp_path / "out/articles/first/index.html").read_text()


needs_browser = pytest.mark.skipif(chromium_path() is None and not os.environ.get("CI"),
                                   reason="no chromium here: apt-get install chromium (CI installs it)")


@needs_browser
@pytest.mark.parametrize("width, smallest, largest", [(390, 390, 640), (1280, 600, 1024)])
def test_the_browser_fetches_a_webp_that_fits_the_screen(browser, demo, width, smallest, largest):
    result, out = demo
    with SiteServer(out, result.index.config.prefix) as url:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(url + "articles/russia-asks-china-for-aid/")
        page.wait_for_function("() => document.querySelector('.story-image img').complete")
        chosen, shown = page.locator(".story-image img").evaluate("i => [i.currentSrc, i.clientWidth]")
        assert chosen.endswith(".webp") and "/pictures/" in chosen
        fetched = int(re.search(r"-(\d+)\.webp$", chosen).group(1))  # the file's width, in its name
        assert smallest <= shown <= fetched <= largest
        page.close()


def test_the_demo_has_pictures_with_their_credits():
    """Every country of the demo has its flag, drawn from its public-domain design, and every
    article a lead picture; each names where it comes from."""
    for slug in ("china", "russia", "ukraine", "united-states"):
        text = (ROOT / f"content/actors/{slug}.yaml").read_text()
        assert f"src: media/flags/{slug}.png" in text and "public domain" in text
    for article in (ROOT / "content/articles").glob("*.md"):
        assert re.search(r"^image: \{src: media/[^,]+, alt: [^,]+, caption: .+, credit: .+\}$",
                         article.read_text(), re.M)


def test_a_wide_photo_with_a_colour_profile_and_a_comment_is_resized_plainly(site, tmp_path):
    from PIL import ImageCms
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    root = with_pictures(site, encoded(2400, 1200, "JPEG", icc_profile=profile, comment=b"shot at home"))
    out = tmp_path / "out"
    assert build(root, output=out).ok
    page = (out / "articles/first/index.html").read_text()
    widths = re.search(r'<source type="image/webp" srcset="([^"]+)"', page).group(1)
    assert [entry.split(" ")[1] for entry in widths.split(", ")] == ["160w", "320w", "640w", "1024w", "1600w"]
    for made in (out / "pictures").iterdir():
        with Image.open(made) as picture:
            assert not {"icc_profile", "comment", "exif"} & set(picture.info), made.name


def test_a_phones_photo_with_more_pictures_in_it_is_resized_from_its_first(site, tmp_path):
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), "navy").save(photo, "MPO", save_all=True,
                                              append_images=[Image.new("RGB", (160, 120), "red")])
    root = with_pictures(site, photo.getvalue())
    out = tmp_path / "out"
    result = build(root, output=out)
    assert result.ok and not result.diagnostics.items
    with Image.open(out / "pictures/lead-jpg-800.jpg") as made:
        assert made.format == "JPEG" and made.size == (800, 600) and made.getpixel((400, 300))[2] > 100


def test_pictures_whose_resized_names_would_meet_are_each_kept_apart(site, tmp_path):
    article = MINIMAL["content/articles/first.md"].replace(
        "title: First", "title: First\nimage: {src: media/a.PNG, alt: One}")
    root = site({"content/articles/first.md": article, "content/media/a.PNG": encoded(300, 200),
                 "content/media/a.png": encoded(300, 200),
                 "content/actors/ana-lima.yaml": MINIMAL["content/actors/ana-lima.yaml"] +
                 "image: {src: media/a.png, alt: Ana Lima}\n"})
    out = tmp_path / "out"
    result = build(root, output=out)
    assert result.ok and not result.diagnostics.items
    assert (out / "pictures/a-PNG-300.png").exists() and (out / "pictures/a-png-300.png").exists()
