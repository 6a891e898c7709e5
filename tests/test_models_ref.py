"""`format_ref`: one cited basis on one line, next to `Ref` for every output that cites."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from checker.models import InForce, Ref, format_ref


def test_a_law_ref_names_article_link_basis_dates_and_note() -> None:
    ref = Ref(
        law="民法典",
        article="510",
        url="https://x.cn/510",
        basis="statute",
        unverified=True,
        in_force=InForce(from_=date(2021, 1, 1)),
        note="gaps",
    )
    assert format_ref(ref) == (
        "民法典 art. 510 <https://x.cn/510> (statute, unverified) "
        f"[in force {ref.in_force.describe()}] — gaps"  # type: ignore[union-attr]
    )
    assert format_ref(ref, markdown=True).startswith("[民法典 art. 510](https://x.cn/510) (")


def test_a_free_text_ref_links_its_text_in_markdown_only() -> None:
    ref = Ref(text="see", url="https://x.cn/")
    assert format_ref(ref) == "see"
    assert format_ref(ref, markdown=True) == "[see](https://x.cn/)"
    assert format_ref(Ref(url="https://x.cn/"), markdown=True) == "https://x.cn/"


def test_packs_and_the_language_server_cite_without_loading_the_sarif_writer() -> None:
    code = (
        "import sys, checker.packs.packdoc, checker.lsp.navigate, checker.lsp.contracts\n"
        "print('checker.report.sarif' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
