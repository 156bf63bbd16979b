"""Copy GOV.UK Frontend, MOJ Frontend, htmx and Chart.js from node_modules into static/vendor.

The precompiled CSS refers to fonts and images at /assets/...; we rewrite those to
paths relative to the CSS file so the files are served as ordinary static files
(no CDN, no Sass build).

Each bundle that names a source map (`sourceMappingURL=...`) gets that map copied beside
it: production's manifest storage follows the reference and `collectstatic` aborts when
the file is missing. A named map the package does not ship has its comment removed.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "static" / "vendor"


def copy(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dest)


# The source-map comment at the end of a bundle: `//# sourceMappingURL=x.map` or `/*# ... */`.
SOURCE_MAP = re.compile(r"(?://|/\*)# sourceMappingURL=(?P<url>[^\s*]+)[ \t]*(?:\*/)?[ \t]*")


def copy_bundle(src: Path, dest: Path) -> None:
    """Copy a JS or CSS bundle and the source map it names (or drop the name of a missing map)."""
    copy(src, dest)
    text = dest.read_text(encoding="utf-8")
    missing = False
    for match in SOURCE_MAP.finditer(text):
        url = match.group("url")
        if url.startswith("data:"):
            continue
        map_src = src.parent / url
        if "/" not in url and map_src.is_file():
            copy(map_src, dest.parent / url)
        else:
            missing = True
    if missing:
        kept = SOURCE_MAP.sub(lambda m: m.group(0) if m.group("url").startswith("data:") else "", text)
        dest.write_text(kept, encoding="utf-8")


def rewrite_css(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("url(/assets/", "url(assets/"), encoding="utf-8")


def main(out: Path = OUT) -> int:
    if not NODE.exists():
        print("node_modules is missing: run `npm ci` first", file=sys.stderr)
        return 1
    govuk = NODE / "govuk-frontend" / "dist" / "govuk"
    moj = NODE / "@ministryofjustice" / "frontend" / "moj"
    for name in ["govuk-frontend.min.css", "govuk-frontend.min.js"]:
        copy_bundle(govuk / name, out / "govuk" / name)
    copy(govuk / "assets", out / "govuk" / "assets")
    for name in ["moj-frontend.min.css", "moj-frontend.min.js"]:
        copy_bundle(moj / name, out / "moj" / name)
    copy(moj / "assets", out / "moj" / "assets")
    # MOJ's CSS also points at GOV.UK's fonts under /assets/: give it the same files.
    copy(govuk / "assets" / "fonts", out / "moj" / "assets" / "fonts")
    rewrite_css(out / "govuk" / "govuk-frontend.min.css")
    rewrite_css(out / "moj" / "moj-frontend.min.css")
    copy_bundle(NODE / "htmx.org" / "dist" / "htmx.min.js", out / "htmx" / "htmx.min.js")
    copy_bundle(NODE / "chart.js" / "dist" / "chart.umd.min.js", out / "chartjs" / "chart.umd.min.js")
    print(f"vendored front-end assets into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
