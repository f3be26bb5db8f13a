"""The comparison as one self-contained HTML page (medpolicy/render_html.py).

Without a browser: the page parses (stdlib ``html.parser``) with every element
closed, names nothing outside itself, carries in its chart's data attributes
exactly the totals :func:`medpolicy.render_json.comparison_dict` gives, draws
each segment in proportion to its money, and escapes what policy authors
write.  With a browser (``chromium`` on PATH, else skipped): headless Chromium
loads the file, its DOM still carries those totals, and its screenshot is a
picture, not a blank page.
"""
from __future__ import annotations

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import zlib
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

import medpolicy
from medpolicy import messages
from medpolicy.compare import compare
from medpolicy.render_compare import comparison_rows
from medpolicy.render_html import _BAR_W, render_compare_html
from medpolicy.render_json import comparison_dict

from conftest import EXAMPLES

POLICIES = tuple(medpolicy.load_policy(p) for p in ("karamay", "lanzhou", "shanghai"))
SCENARIO = medpolicy.read_scenario(EXAMPLES / "karamay-critical-illness.yaml")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LINKING = {"href", "src", "xlink:href", "srcset", "action", "formaction", "poster", "data", "background"}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def explained():
    return compare(SCENARIO, POLICIES)


class Page(HTMLParser):
    """What a test reads of a page: structure problems, elements, chart bars, table rows, text."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.elements: list[tuple[str, dict]] = []
        self.bars: list[dict] = []
        self.rows: list[list[str]] = []
        self.details: list[dict] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._in: dict[str, int] = {}
        self.doctype = None
        self.feed(text)
        self.close()
        if self.stack:
            self.problems.append(f"not closed: {self.stack}")

    def handle_decl(self, decl):
        self.doctype = decl

    def handle_starttag(self, tag, attrs):
        self._open(tag, dict(attrs))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, dict(attrs))

    def _open(self, tag, attrs):
        self.elements.append((tag, attrs))
        self._in[tag] = self._in.get(tag, 0) + 1 if tag not in VOID else 0
        if tag == "g" and "data-policy" in attrs:
            self.bars.append({"policy": attrs["data-policy"], "total": attrs.get("data-total"), "segments": []})
        elif tag == "rect" and "data-segment" in attrs:
            self.bars[-1]["segments"].append(attrs)
        elif tag == "tr" and self._in.get("table"):
            self.rows.append([])
        elif tag in ("th", "td") and self._in.get("table"):
            self._cell = []
        elif tag == "details":
            self.details.append({"attrs": attrs, "steps": 0, "text": []})
        elif tag == "li" and self._in.get("details"):
            self.details[-1]["steps"] += 1

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        self._in[tag] -= 1
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._in.get("details"):
            self.details[-1]["text"].append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    def amounts(self) -> dict:
        """policy id → {segment → Decimal}, in the page's order."""
        return {bar["policy"]: {s["data-segment"]: Decimal(s["data-amount"]) for s in bar["segments"]}
                for bar in self.bars}


def json_totals(comparison, lang="zh") -> dict:
    """policy id → {segment → amount text} as comparison_dict words the year's totals."""
    out = {}
    for p in comparison_dict(comparison, lang)["policies"]:
        t = p["statement"]["totals"]
        segs = {"basic_fund": t["basic_fund"]}
        segs.update({f"payer:{payer['id']}": payer["amount"] for payer in t["payers"]})
        segs["patient"] = t["patient"]
        out[p["policy"]] = {"total": t["total"], "segments": segs}
    return out


def page_totals(page: Page) -> dict:
    return {bar["policy"]: {"total": bar["total"], "segments": {s["data-segment"]: s["data-amount"]
                                                                for s in bar["segments"]}}
            for bar in page.bars}


# ----------------------------------------------------------------------------- structure


@pytest.mark.parametrize("lang,code", [("zh", "zh-CN"), ("en", "en")])
def test_the_page_is_well_formed_and_self_contained(explained, lang, code):
    text = render_compare_html(explained, lang)
    page = Page(text)
    assert page.doctype and page.doctype.lower() == "doctype html"
    assert page.problems == []
    assert ("html", {"lang": code}) in page.elements
    assert ("meta", {"charset": "utf-8"}) in page.elements
    # Nothing outside the file: no link, script, image or frame; no attribute naming a resource.
    assert not {tag for tag, _ in page.elements} & {"script", "link", "img", "iframe", "object", "embed", "base"}
    assert [(tag, a) for tag, attrs in page.elements for a in attrs if a in LINKING] == []
    for needle in ("http://", "https://", "src=", "url(", "@import", "//fonts"):
        assert needle not in text, needle
    legend = [attrs for _, attrs in page.elements if "data-legend" in attrs]
    assert text.count("<style>") == 1 and text.count("<svg") == 1 + len(legend)  # the chart, a swatch per legend item


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chart_carries_the_totals_of_the_json(explained, lang):
    page = Page(render_compare_html(explained, lang))
    assert [bar["policy"] for bar in page.bars] == [o.policy.id for o in explained.outcomes]  # one bar per policy
    assert page_totals(page) == json_totals(explained, lang)
    for bar in page.bars:
        assert sum(Decimal(s["data-amount"]) for s in bar["segments"]) == Decimal(bar["total"])
    # the critical-illness payer is a segment of its own, named in the legend
    assert [s["data-segment"] for s in page.bars[0]["segments"]] == ["basic_fund", "payer:critical_illness",
                                                                     "patient"]
    legend = [attrs["data-legend"] for tag, attrs in page.elements if "data-legend" in attrs]
    assert legend == ["basic_fund", "payer:critical_illness", "patient"]


def test_each_segment_has_a_tooltip_in_words(explained):
    text = render_compare_html(explained, "zh")
    tips = re.findall(r'<rect data-segment="[^"]+"[^>]*><title>([^<]+)</title></rect>', text)
    assert len(tips) == sum(len(o.statement.totals.payers) + 2 for o in explained.outcomes)
    assert "新疆维吾尔自治区克拉玛依市：大病保险 ¥300000.00（占总费用 47.9%）" in tips


def test_segment_widths_are_proportional_to_money(explained):
    page = Page(render_compare_html(explained, "zh"))
    largest = max(o.statement.totals.total for o in explained.outcomes)
    for bar in page.bars:
        x = None
        for s in bar["segments"]:
            width, amount = Decimal(s["width"]), Decimal(s["data-amount"])
            assert re.fullmatch(r"\d+\.\d\d", s["width"]) and re.fullmatch(r"\d+\.\d\d", s["x"])
            assert abs(width - amount * _BAR_W / largest) <= Decimal("0.005")
            if x is not None:
                assert Decimal(s["x"]) == x  # segments follow each other
            x = Decimal(s["x"]) + width
        assert abs(x - Decimal(bar["segments"][0]["x"]) - _BAR_W * Decimal(bar["total"]) / largest) <= Decimal("0.02")


def test_the_answer_is_the_net_cost_or_not_stated(explained):
    shape = comparison_dict(explained, "zh")
    for lang, unstated in (("zh", "未载明"), ("en", "not stated")):
        page = Page(render_compare_html(explained, lang))
        answers = {attrs["data-policy"]: attrs.get("data-net") for tag, attrs in page.elements
                   if attrs.get("class") == "answer"}
        assert answers == {p["policy"]: p["net"] for p in shape["policies"]}  # one line per policy
        shanghai = next(o for o in explained.outcomes if o.policy.id == "shanghai")
        assert shanghai.premium is None
        assert f"上海市：{unstated}" in page.all_text or f"上海市: {unstated}" in page.all_text
    text = Page(render_compare_html(explained, "zh")).all_text
    assert "新疆维吾尔自治区克拉玛依市：¥166400.00（个人缴费 ¥400.00 + 个人支付 ¥166000.00）" in text


def test_the_lowest_net_cost_is_marked_only_when_every_policy_states_one():
    both = compare(SCENARIO, POLICIES[:2])  # Karamay ¥166400.00, Lanzhou ¥142600.00: both state a premium
    page = Page(render_compare_html(both, "zh"))
    marked, current = [], None
    for _, attrs in page.elements:  # the badge is inside the answer line it marks
        current = attrs["data-policy"] if attrs.get("class") == "answer" else current
        if attrs.get("class") == "badge":
            marked.append(current)
    assert marked == ["lanzhou"]
    assert messages.word("compare.html.lowest", "zh") in page.all_text
    page = Page(render_compare_html(compare(SCENARIO, POLICIES), "zh"))  # Shanghai states none: no winner
    assert not [attrs for _, attrs in page.elements if attrs.get("class") == "badge"]


def test_the_claim_table_is_the_text_renderers(explained):
    for lang in ("zh", "en"):
        page = Page(render_compare_html(explained, lang))
        header, *body = page.rows
        assert header == [""] + [o.policy.jurisdiction for o in explained.outcomes]
        expected = [[row[0].strip()] + (row[1:] if row[0].startswith("  ") or any(row[1:]) else [])
                    for row in comparison_rows(explained, lang)]
        assert body == expected


def test_every_step_and_citation_is_in_a_details_element(explained):
    page = Page(render_compare_html(explained, "zh"))
    claims = [d for d in page.details if "data-claim" in d["attrs"]]
    expected = [(o, c) for o in explained.outcomes for c in o.statement.claims]  # no claim is unplaced here
    assert [d["attrs"]["data-claim"] for d in claims] == [c.id for _, c in expected]
    for d, (o, c) in zip(claims, expected):
        shown = "".join(d["text"])
        assert d["steps"] == len(c.events) > 0
        for event in c.events:
            assert messages.describe(event, "zh", o.statement.policy.labels) in shown
            cite = messages.describe_cite(event.cite, "zh")
            if cite:
                assert cite in shown
        assert any(e.cite for e in c.events)


def test_what_to_do_for_claims_settled_by_hand_is_shown_open():
    data = medpolicy.read_scenario(EXAMPLES / "compare" / "vacation-care.yaml")
    comparison = compare(data, POLICIES)
    page = Page(render_compare_html(comparison, "zh"))
    assert page.problems == []
    sections = [a["data-policy"] for tag, a in page.elements if tag == "section" and a.get("class") == "policy-guidance"]
    assert sections == [o.policy.id for o in comparison.outcomes if any(c.guidance for c in o.statement.claims)]
    guidance_text = page.all_text.split(messages.word("compare.guidance", "zh"))[1].split(
        messages.word("compare.html.steps", "zh"))[0]
    for o in comparison.outcomes:
        for c in o.statement.claims:
            for event in c.guidance:
                assert messages.describe(event, "zh", o.statement.policy.labels) in guidance_text
    # no claim settled by hand, no section
    assert 'id="guidance"' not in render_compare_html(compare(SCENARIO, POLICIES), "zh")


def test_without_explanation_the_page_says_so():
    quick = compare(SCENARIO, POLICIES, explain=False)
    for lang in ("zh", "en"):
        page = Page(render_compare_html(quick, lang))
        assert page.problems == [] and page.details == []
        assert messages.word("explanation_off", lang) in page.all_text
        assert page_totals(page) == json_totals(quick, lang)  # the figures are all there


def test_notes_unplaced_claims_and_incomplete_totals_are_shown():
    data = {"policy": "shanghai", "person": {"id": "s"},
            "claims": [{"id": "school", "date": "2025-03-02", "care": "outpatient", "level": "campus", "total": "300"},
                       {"id": "c2", "date": "2025-04-01", "care": "inpatient", "level": "2", "total": "1000"}]}
    result = compare(data, POLICIES)
    page = Page(render_compare_html(result, "zh"))
    assert page.problems == []
    text = page.all_text
    karamay = next(o for o in result.outcomes if o.policy.id == "karamay")
    assert karamay.unplaced == ("school",)
    for note in karamay.notes:
        assert messages.word(f"compare.{note.kind}", "zh", **note.data) in text
    assert messages.word("compare.incomplete", "zh", count=1) in text
    assert messages.word("compare.unplaced", "zh") in [cell for row in page.rows for cell in row]
    school = [d for d in page.details if d["attrs"].get("data-claim") == "school"]
    assert len(school) == len(POLICIES)  # placed at home (Shanghai), left out of the two others, and said
    left_out = [d for d in school if d["attrs"].get("class") == "unplaced"]
    assert len(left_out) == 2
    for d in left_out:
        assert messages.word("compare.unplaced", "zh") in "".join(d["text"])
    assert page_totals(page) == json_totals(result)
    assert sum(1 for _, attrs in page.elements if attrs.get("class") == "warn") == 2  # beside two answers
    assert messages.word("compare.html.no_notes", "zh") in text  # the home policy needed no moving, and says so


EVIL = '''
policy evil {
  title "<script>alert(1)</script> & 'T'"
  jurisdiction "<i>某地</i>"
  year 2026-01-01 .. 2026-12-31
  rounding half_up to ¥0.01
}
source doc "<img src=x onerror=alert(2)>" "doc.md"
levels { "1" "一级<医院>" }
benefit hospital "住院 <b>" {
  priority 1
  when claim.care == inpatient
  no deductible
  ratio 50%
    cite doc "第一条 </details><script>alert(3)</script>" "报销 <50%> & more"
}
'''


def test_what_policy_authors_write_is_escaped():
    policy = medpolicy.check_source(EVIL)
    result = compare({"person": {"id": "<p onclick=x>"},
                      "claims": [{"id": "c1", "date": "2026-03-01", "care": "inpatient", "level": "1",
                                  "total": "1000"}]}, [policy, POLICIES[0]])
    for lang in ("zh", "en"):
        text = render_compare_html(result, lang)
        page = Page(text)
        assert page.problems == []
        tags = {tag for tag, _ in page.elements}
        assert not tags & {"script", "img", "i", "b"}
        assert not any(name.startswith("on") for _, attrs in page.elements for name in attrs)
        shown = page.all_text
        assert "<script>alert(1)</script> & 'T'" in shown and "<i>某地</i>" in shown
        assert "第一条 </details><script>alert(3)</script>" in shown and "<img src=x onerror=alert(2)>" in shown
        assert "<p onclick=x>" in shown
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#x27;T&#x27;" in text
        assert page_totals(page) == json_totals(result, lang)


def test_the_pages_words_are_in_the_one_catalogue():
    source = (Path(medpolicy.__file__).parent / "render_html.py").read_text("utf-8")
    for key in re.findall(r'word\("(compare\.html\.[a-z_.]+)"', source):
        assert key in messages.MESSAGES


# ----------------------------------------------------------------------------- a real browser


CHROMIUM_ADDRESS_SPACE = 128 << 30
"""Chromium reserves address space it never uses (V8's cage, PartitionAlloc's pools): measured on
Chromium 156, 100 GB of ``ulimit -v`` suffice, 80 GB do not (it hangs or dies at start)."""


def _address_limit_after_lifting() -> int:
    """The address-space limit Chromium will run under: unlimited where this process may lift it
    (root with CAP_SYS_RESOURCE), else the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY:
        return hard
    probe = subprocess.run([sys.executable, "-c", "import resource as r; "
                            "r.setrlimit(r.RLIMIT_AS, (r.RLIM_INFINITY, r.RLIM_INFINITY))"], capture_output=True)
    return resource.RLIM_INFINITY if probe.returncode == 0 else hard


def _chromium_on_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("chromium is not installed: apt-get install chromium")
    return found


def _chromium() -> str:
    found = _chromium_on_path()
    limit = _address_limit_after_lifting()
    if limit != resource.RLIM_INFINITY and limit < CHROMIUM_ADDRESS_SPACE:
        pytest.skip(f"chromium cannot start under ulimit -v {limit // 1024} (it reserves ~100 GB of address "
                    f"space): run this test without the limit")
    return found


def _lift_address_limit():
    """Run Chromium with as much address space as this process may give it (see CHROMIUM_ADDRESS_SPACE)."""
    try:
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _run_chromium(browser: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}", *args]
    return subprocess.run(command, capture_output=True, timeout=30, preexec_fn=_lift_address_limit,
                          env={**os.environ, "LANG": "zh_CN.UTF-8"})


def _png_is_blank(data: bytes) -> bool:
    """Whether a PNG (8-bit RGB/RGBA, not interlaced) is one white picture, without a library: a white
    picture filters, row by row, to bytes fixed by the filter type, so any other byte is ink."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    assert len(raw) == height * (stride + 1)
    white = bytes([255]) * stride

    def filtered(kind: int, prior: bytes) -> bytes:
        out = bytearray(stride)
        for i in range(stride):
            a = white[i - bpp] if i >= bpp else 0
            b = prior[i]
            c = prior[i - bpp] if i >= bpp else 0
            if kind == 0:
                pred = 0
            elif kind == 1:
                pred = a
            elif kind == 2:
                pred = b
            elif kind == 3:
                pred = (a + b) // 2
            else:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
            out[i] = (255 - pred) % 256
        return bytes(out)

    expected: dict = {}
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        key = (kind, row == 0)
        if key not in expected:
            expected[key] = filtered(kind, bytes(stride) if row == 0 else white)
        if raw[start + 1:start + 1 + stride] != expected[key]:
            return False
    return True


def test_blank_detection_on_made_pictures():
    def png(rows: list[bytes], width: int) -> bytes:
        def chunk(kind, body):
            return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        ihdr = struct.pack(">IIBBBBB", width, len(rows), 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"".join(rows))) \
            + chunk(b"IEND", b"")

    white = bytes([255]) * 6
    assert _png_is_blank(png([b"\0" + white, b"\2" + bytes(6)], 2))
    assert _png_is_blank(png([b"\1" + white[:3] + bytes(3), b"\4" + bytes(6)], 2))
    assert not _png_is_blank(png([b"\0" + white, b"\0" + white[:3] + b"\xd1\x49\x5b"], 2))


def test_headless_chromium_reads_the_figures_and_draws_the_page(explained, tmp_path):
    browser = _chromium()
    page_file = tmp_path / "comparison.html"
    page_file.write_text(render_compare_html(explained, "zh"), encoding="utf-8")
    url = page_file.as_uri()
    dumped = _run_chromium(browser, tmp_path, "--dump-dom", url)
    assert dumped.returncode == 0, dumped.stderr.decode("utf-8", "replace")[-2000:]
    dom = dumped.stdout.decode("utf-8")
    page = Page(dom)
    assert page.problems == []
    assert len(re.findall(r"<g [^>]*data-policy=", dom)) == len(explained.outcomes)  # as many bars as policies
    assert [bar["policy"] for bar in page.bars] == [o.policy.id for o in explained.outcomes]
    assert all(bar["segments"] for bar in page.bars)  # one group of segments per policy
    assert page_totals(page) == json_totals(explained)
    assert "新疆维吾尔自治区克拉玛依市：¥166400.00" in page.all_text

    shot = tmp_path / "comparison.png"
    drawn = _run_chromium(browser, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000", url)
    assert drawn.returncode == 0, drawn.stderr.decode("utf-8", "replace")[-2000:]
    data = shot.read_bytes()
    keep = os.environ.get("MEDPOLICY_HTML_ARTIFACTS")  # CI keeps the page and its picture for a reader
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(page_file, Path(keep) / page_file.name)
        shutil.copy(shot, Path(keep) / shot.name)
    assert len(data) > 40_000, len(data)  # a blank 1200×2000 page compresses to a few KB
    assert struct.unpack(">II", data[16:24]) == (1200, 2000)
    assert not _png_is_blank(data)


def test_a_chinese_font_is_installed_for_the_browser():
    """Without a CJK font Chromium draws every Chinese character as a box: the page is unreadable."""
    _chromium_on_path()
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        pytest.skip("fc-list (fontconfig) is not installed")
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30).stdout
    assert found.strip(), "no Chinese font: apt-get install fonts-noto-cjk"
