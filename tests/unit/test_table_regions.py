"""Every scrolling table box can be reached and scrolled by keyboard, and is named (axe
scrollable-region-focusable): the pages the sweep cannot reach with data are held to it too."""
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_table_wrap_is_a_named_focusable_region():
    missing = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r'<div class="table-wrap"[^>]*>', path.read_text(encoding="utf-8")):
            if 'tabindex="0"' not in tag or 'role="region"' not in tag or "aria-label" not in tag:
                missing.append(f"{path.relative_to(TEMPLATES)}: {tag}")
    assert not missing, "\n".join(missing)
