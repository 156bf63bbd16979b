"""Copy GOV.UK Frontend, MOJ Frontend, htmx and Chart.js from node_modules into static/vendor.

The precompiled CSS refers to fonts and images at /assets/...; we rewrite those to
paths relative to the CSS file so the files are served as ordinary static files
(no CDN, no Sass build).
"""

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


def rewrite_css(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("url(/assets/", "url(assets/"), encoding="utf-8")


def main() -> int:
    if not NODE.exists():
        print("node_modules is missing: run `npm ci` first", file=sys.stderr)
        return 1
    govuk = NODE / "govuk-frontend" / "dist" / "govuk"
    moj = NODE / "@ministryofjustice" / "frontend" / "moj"
    for name in ["govuk-frontend.min.css", "govuk-frontend.min.js"]:
        copy(govuk / name, OUT / "govuk" / name)
    copy(govuk / "assets", OUT / "govuk" / "assets")
    for name in ["moj-frontend.min.css", "moj-frontend.min.js"]:
        copy(moj / name, OUT / "moj" / name)
    copy(moj / "assets", OUT / "moj" / "assets")
    # MOJ's CSS also points at GOV.UK's fonts under /assets/: give it the same files.
    copy(govuk / "assets" / "fonts", OUT / "moj" / "assets" / "fonts")
    rewrite_css(OUT / "govuk" / "govuk-frontend.min.css")
    rewrite_css(OUT / "moj" / "moj-frontend.min.css")
    copy(NODE / "htmx.org" / "dist" / "htmx.min.js", OUT / "htmx" / "htmx.min.js")
    copy(NODE / "chart.js" / "dist" / "chart.umd.min.js", OUT / "chartjs" / "chart.umd.min.js")
    print(f"vendored front-end assets into {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
