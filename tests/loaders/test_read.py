"""Reading: encodings, formats, ids, bad inputs as per-file Failures (never exceptions)."""
from __future__ import annotations

import io
import json
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.model import Document, Failure
from loaders.clean import clean
from loaders.read import (TYPICAL, ReadError, content_hash, decode_bytes, doc_ids, iter_documents, iter_paths,
                          plausibility, read_path)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
SIMPLE = "阳山县持续推进基层医疗卫生服务体系建设"


def docs(*inputs) -> tuple[dict[str, Document], list[Failure]]:
    got, bad = {}, []
    for d in iter_documents([str(i) for i in inputs]):
        if isinstance(d, Failure):
            bad.append(d)
        else:
            got[d.id] = d
    return got, bad


@pytest.mark.parametrize("name", ["simplified_utf8.txt", "simplified_utf8_bom.txt", "simplified_gbk.txt"])
def test_simplified_encodings(name):
    (d,) = read_path(DATA / name)
    assert d.id == name and d.raw.startswith(SIMPLE) and "\ufeff" not in d.raw
    assert "依托省第二人民医院与县人民医院开启“组团式”托管帮扶的契机" in d.raw


@pytest.mark.parametrize("name", ["traditional_big5.txt", "traditional_gb18030.txt"])
def test_traditional_encodings_read_and_clean(name):
    (d,) = read_path(DATA / name)
    assert d.raw.startswith("陽山縣持續推進基層醫療衛生服務體系建設")
    clean(d)
    assert d.title == SIMPLE and d.published == "2024-05-31"
    assert "依托省第二人民医院与县人民医院开启" in d.text


def test_html_main_text_and_metadata():
    (d,) = read_path(DATA / "page.html")
    assert d.title == "年终专稿·医疗帮扶|对口帮扶汇聚起更大力量"
    assert d.published == "2023-12-28"
    assert "国家卫生健康委在新疆维吾尔自治区喀什市召开新闻发布会" in d.raw
    assert "ICP" not in d.raw and "首页" not in d.raw
    clean(d)
    assert "阿里地区人民医院先后创成二甲、三乙医院。" in d.text


@pytest.mark.parametrize("title, body", [
    ("院长带队赴杜尔伯特蒙古族自治县调研对口帮扶工作-哈尔滨医科大学附属第一医院",
     "6月19日，院长带领医务处负责人一行11人，赴杜尔伯特蒙古族自治县人民医院调研对口帮扶工作，看望在当地工作的我院专家。"),
    ("我院第三批驻寻乌帮扶团队出征_江西省中医院",
     "3月4日上午，我院在门诊楼会议室举行第三批驻寻乌帮扶团队欢送会，院长为队员授旗，院党委副书记宣读选派文件。"),
])
def test_an_html_pages_title_is_the_first_line_of_its_text(tmp_path, title, body):
    """The page title holds the headline and often the only mention of the site's own hospital."""
    page = tmp_path / "p.html"
    page.write_text(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
                    f"<div class='nav'><a href='/'>首页</a></div><div class='article'><p>{body}</p>"
                    f"<p>{body}</p></div></body></html>", encoding="utf-8")
    (d,) = read_path(page)
    assert d.raw.split("\n")[0] == title and body in d.raw
    assert d.raw.count(title) == 1


def test_jsonl_records_and_bad_lines():
    got, bad = docs(DATA / "articles.jsonl")
    assert set(got) == {"articles.jsonl#1", "articles.jsonl#3"}
    one = got["articles.jsonl#1"]
    assert (one.title, one.url, one.published) == (SIMPLE, "https://example.org/a/1", "2024-05-31")
    assert got["articles.jsonl#3"].published == "2024-10-17"
    assert got["articles.jsonl#3"].raw.startswith("饶平县主动上门对接省内高水平医院")
    reasons = {f.record: f.reason for f in bad}
    assert set(reasons) == {"2", "4", "5"}
    assert "not valid JSON" in reasons["2"] and "not a JSON object" in reasons["4"] and "'text'" in reasons["5"]
    assert all(f.path.endswith("articles.jsonl") for f in bad)
    assert str(bad[0]).startswith(str(DATA / "articles.jsonl") + "#2: ")


def test_csv_records_and_bad_rows():
    got, bad = docs(DATA / "articles.csv")
    assert set(got) == {"articles.csv#1", "articles.csv#2"}
    assert got["articles.csv#1"].published == "2024-05-31" and got["articles.csv#1"].title == SIMPLE
    assert got["articles.csv#2"].title is None
    reasons = {f.record: f.reason for f in bad}
    assert set(reasons) == {"3", "4"}
    assert "3 fields but the header has 4" in reasons["3"] and "empty" in reasons["4"]


@pytest.mark.parametrize("name, words", [
    ("binary.bin.txt", "binary file"),
    ("undecodable.txt", "cannot decode"),
    ("empty.txt", "empty file"),
])
def test_bad_files_become_failures(name, words):
    got, bad = docs(DATA / name)
    assert not got
    (f,) = bad
    assert f.path == str(DATA / name) and words in f.reason and "\n" not in f.reason


def test_missing_paths_globs_and_empty_folders():
    got, bad = docs(DATA / "nope.txt", str(DATA / "*.zzz"), DATA / "no_articles")
    assert not got
    reasons = [f.reason for f in bad]
    assert reasons[0] == "no such file or folder"
    assert reasons[1].startswith("no article files match")
    assert reasons[2].startswith("folder holds no articles")


def test_glob_and_folder_expansion_are_sorted_and_deduplicated():
    got, _ = docs(str(DATA / "simplified_*.txt"), DATA / "simplified_gbk.txt")
    assert list(got) == ["simplified_gbk.txt", "simplified_utf8.txt", "simplified_utf8_bom.txt"]


def test_same_file_name_is_disambiguated_deterministically():
    got, _ = docs(DATA / "dup_a", DATA / "dup_b")
    assert set(got) == {"dup_a/same.txt", "dup_b/same.txt"}
    assert got["dup_b/same.txt"].raw == "第二篇：饶平县人民医院。"  # GBK, detected
    assert doc_ids([Path("x/a/n.txt"), Path("y/a/n.txt"), Path("z/m.txt")]) == {
        Path("x/a/n.txt"): "x/a/n.txt", Path("y/a/n.txt"): "y/a/n.txt", Path("z/m.txt"): "m.txt"}


def test_seed_ids_match_gold():
    got, bad = docs(ROOT / "seeds")
    assert not bad
    gold = [json.loads(line)["doc"] for line in (ROOT / "gold" / "seeds.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    assert set(gold) <= set(got)
    assert got["002_91cb4612bce1284b.txt"].raw.startswith("陽山縣持續(xù)推進")


def test_stdin(monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO("陽山縣人民醫院\n正文。".encode("big5")), encoding="latin-1")
    monkeypatch.setattr(sys, "stdin", fake)
    (d,) = list(iter_documents(["-"]))
    assert isinstance(d, Document) and d.id == "stdin" and d.path == "-" and d.raw.startswith("陽山縣人民醫院")


def test_stdin_jsonl(monkeypatch):
    line = json.dumps({"text": "饶平县人民医院", "title": "标题"}, ensure_ascii=False)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(line.encode("utf-8"))))
    (d,) = list(iter_documents(["-"]))
    assert d.id == "stdin#1" and d.title == "标题"


def test_iter_paths_yields_paths_and_failures():
    items = list(iter_paths([str(DATA / "dup_a"), str(DATA / "missing")]))
    assert items[0] == DATA / "dup_a" / "same.txt" and isinstance(items[1], Failure)


def test_decode_bytes_errors_are_read_errors():
    with pytest.raises(ReadError):
        decode_bytes(b"")
    with pytest.raises(ReadError, match="binary"):
        decode_bytes(b"\x00\x01\x02\x03" * 100)
    assert decode_bytes(b"\xef\xbb\xbf" + "阳山".encode("utf-8")) == "阳山"
    assert decode_bytes("阳山县".encode("utf-16")) == "阳山县"
    assert decode_bytes("\x00阳山县".encode("utf-16")) == "\x00阳山县"  # FF FE 00 00 but not UTF-32


def test_content_hash_is_stable():
    a = Document(id="a", path="a", raw="阳山县")
    b = Document(id="b", path="b", raw="阳山县")
    assert content_hash(a) == content_hash(b) and len(content_hash(a)) == 40


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.sampled_from([".txt", ".jsonl", ".csv", ".html"]))
def test_arbitrary_bytes_never_sink_the_batch(data, suffix):
    tmp = Path(tempfile.mkdtemp())
    try:
        (tmp / f"x{suffix}").write_bytes(data)
        (tmp / "ok.txt").write_bytes("正文。".encode("utf-8"))
        out = list(iter_documents([str(tmp)]))
        assert any(isinstance(d, Document) and d.id == "ok.txt" for d in out)
        for d in out:
            if isinstance(d, Failure):
                assert d.reason and "\n" not in d.reason
            else:
                clean(d)
                assert len(d.offsets) == len(d.text)
    finally:
        shutil.rmtree(tmp)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_arbitrary_text_round_trips_through_decoding(text, enc):
    try:
        data = text.encode(enc)
    except UnicodeEncodeError:
        return
    notes: list[str] = []
    try:
        got = decode_bytes(data, notes)
    except ReadError:
        return  # empty, or control-heavy text reported as binary
    if enc in ("utf-8-sig", "utf-16") and not (enc == "utf-16" and text == "\x00"):
        assert got == text  # (FF FE 00 00 alone is also the UTF-32 byte-order mark of nothing)
    elif enc == "utf-8" and "\x00" not in text and got != text:
        # valid UTF-8 is UTF-8, unless the same bytes read as ordinary Chinese in another
        # encoding (b"\xc2\x9a" is U+009A in UTF-8, 職 in GBK), or a note says it is a guess
        assert notes or plausibility(got)[0] <= TYPICAL, (got, notes)


# -- bounded inputs, blemishes salvaged, encodings verified (issues 15 and 16) ------------------

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def facts(doc: Document) -> set:
    """The relation keys one article gives (read → clean → extract → link)."""
    from kg.pipeline import analyse

    return {r.key for r in analyse(doc).relations}


def only(items, kind):
    return [x for x in items if isinstance(x, kind)]


@pytest.mark.parametrize("seed", [SEEDS[1], SEEDS[4]])
def test_stray_bytes_and_nuls_do_not_lose_an_article(seed, tmp_path):
    text = seed.read_text(encoding="utf-8")
    (want,) = read_path(seed)
    data = text.encode("utf-8")
    stops = [i + 3 for i in range(len(data)) if data.startswith("。".encode(), i)][:3]
    for name, mark, reported in (("ff", b"\xff", True), ("nul", b"\x00", False), ("c0", b"\xc0\x80", True)):
        blemished = bytearray(data)
        for at in reversed(stops):  # between sentences: no character is cut
            blemished[at:at] = mark
        p = tmp_path / f"{name}.txt"
        p.write_bytes(bytes(blemished))
        items = read_path(p)
        (doc,) = only(items, Document)
        assert doc.raw.replace("\ufffd", "").replace("\x00", "") == want.raw
        assert facts(doc) == facts(want) and facts(want)
        notes = [f.reason for f in only(items, Failure)]
        if reported:  # what was replaced is counted, with where it starts
            replaced = doc.raw.count("\ufffd") - want.raw.count("\ufffd")
            assert replaced >= 3 and len(notes) == 1, notes
            assert notes[0].startswith(f"{replaced} byte sequences not valid in UTF-8 (the first at byte {stops[0]})")
        else:  # a few NULs are blemishes: kept in the raw text (offsets stay exact), dropped by cleaning
            assert notes == [] and doc.raw.count("\x00") == 3


def test_what_cannot_be_saved_says_why(tmp_path):
    cases = {"noise.txt": (bytes(range(256)) * 8, "binary file"),
             "nuls.txt": ("阳山县人民医院".encode("utf-8") * 10 + b"\x00" * 200, "bytes are NUL"),
             "links.html": (("<html><body>" + "<div>" * 3000 + "".join(f"<p><a href='/{i}'>阳山县人民医院新闻第{i}篇</a></p>"
                                                                     for i in range(40))
                             + "</div>" * 3000 + "</body></html>").encode("utf-8"), "of the page's text is links"),
             "scripts.html": (b"<html><head><script>var x = 1;</script></head><body><style>p{}</style></body></html>",
                              "holds no text"),
             "mixed.txt": ("阳山县".encode("utf-8") + bytes(range(0x80, 0x100)) * 4, "cannot decode")}
    for name, (data, why) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ReadError) as err:
            read_path(tmp_path / name)
        assert why in err.value.problem, (name, err.value.problem)
        assert "\n" not in err.value.problem


@pytest.mark.parametrize("seed", [SEEDS[1], SEEDS[2]])
def test_deep_or_huge_html_is_read(seed, tmp_path):
    text = seed.read_text(encoding="utf-8")
    paras = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    (flat,) = only(read_path(_page(tmp_path / "flat.html", paras)), Document)
    assert facts(flat)
    for depth in (260, 1500):  # past libxml2's default limit of 256
        nested = "<div>" * depth + paras + "</div>" * depth
        items = read_path(_page(tmp_path / f"deep{depth}.html", nested))
        assert only(items, Failure) == [] and facts(only(items, Document)[0]) == facts(flat)
    huge = f'<div data-blob="{"A" * 11_000_000}">{paras}</div>'  # past its 10 MB limit for one value
    items = read_path(_page(tmp_path / "attr.html", huge))
    assert only(items, Failure) == [] and facts(only(items, Document)[0]) == facts(flat)
    # nested past any parser's tree (libxml2 stops at 2048 levels): the page's whole text, and a note
    nested = "<div>" * 3000 + paras + "</div>" * 3000
    items = read_path(_page(tmp_path / "deeper.html", nested))
    (doc,) = only(items, Document)
    assert facts(doc) == facts(flat)
    (note,) = only(items, Failure)
    assert "whole text was read" in note.reason and f"{3000 + 3} levels deep" in note.reason  # html, body, p


def _page(path: Path, body: str) -> Path:
    path.write_text(f"<html><head><title>测试页</title></head><body>{body}</body></html>", encoding="utf-8")
    return path


HEADLINES = ["华西医院托管阳山县医院", "广东省第二人民医院对口帮扶阳山县人民医院", "饶平县人民医院加入医共体"]


@pytest.mark.parametrize("headline", HEADLINES)
@pytest.mark.parametrize("enc", ["gbk", "gb18030", "big5", "utf-8"])
def test_short_files_are_read_as_what_their_bytes_most_plausibly_are(headline, enc, tmp_path):
    """The GBK bytes of a one-line headline used to come back as Korean through a UTF-16 guess."""
    from opencc import OpenCC

    text = OpenCC("s2t").convert(headline) if enc == "big5" else headline
    for ending in ("\r\n", "\n", ""):
        p = tmp_path / "h.txt"
        p.write_bytes((text + ending).encode(enc))
        items = read_path(p)
        assert only(items, Document)[0].raw == text + ending
        assert only(items, Failure) == []  # no doubt worth reporting


def test_an_uncertain_decode_is_reported_in_the_report_and_on_stderr(tmp_path):
    """Bytes that read as ordinary Chinese in two encodings: the choice is a guess, and says so."""
    from click.testing import CliRunner

    from kg.cli import main
    from loaders.read import CERTAIN

    common = [c for c in "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
              if plausibility(c)[0] < 3.5]
    pair = None
    for a in common:
        data = a.encode("gbk")
        try:
            other = data.decode("big5hkscs")
        except UnicodeDecodeError:
            continue
        if abs(plausibility(other)[0] - plausibility(a)[0]) < CERTAIN:
            pair = data
            break
    assert pair is not None
    p = tmp_path / "one.txt"
    p.write_bytes(pair)
    notes = [f.reason for f in only(read_path(p), Failure)]
    assert len(notes) == 1 and "the encoding is a guess" in notes[0] and "re-save it as UTF-8" in notes[0]
    (tmp_path / "ok.txt").write_text("广东省第二人民医院对口帮扶阳山县人民医院。", encoding="utf-8")
    res = CliRunner().invoke(main, ["build", str(p), str(tmp_path / "ok.txt"), "-o", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 1, res.output  # read, but with a doubt: reported like a partial read
    assert f"kg: error: {p}: the encoding is a guess" in res.output
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [f["reason"] for f in report["failures"]] == notes
    assert {d["id"] for d in report["documents"]} == {"one.txt", "ok.txt"}


@pytest.mark.parametrize("declared, enc, text", [
    ("gb2312", "big5", "廣東省第二人民醫院全面託管陽山縣人民醫院，派駐專家團隊常駐縣醫院。"),
    ("gbk", "big5", "饒平縣人民醫院牽頭組建縣域醫共體，新豐鎮衛生院加入醫共體。"),
    ("big5", "gbk", "广东省第二人民医院全面托管阳山县人民医院，派驻专家团队常驻县医院。"),
    ("utf-8", "gb18030", "饶平县人民医院牵头组建县域医共体，新丰镇卫生院加入医共体。"),
    ("iso-8859-1", "gbk", "阳山县人民医院对口帮扶黎埠镇卫生院。"),
])
def test_a_declared_charset_is_verified_not_trusted(declared, enc, text, tmp_path):
    """Big5 bytes under <meta charset="gb2312"> decoded without error into nonsense, 0 entities."""
    page = (f'<html><head><meta charset="{declared}"><title>{text[:8]}</title></head>'
            f"<body><article><p>{text}</p><p>{text}</p></article></body></html>")
    p = tmp_path / "page.html"
    p.write_bytes(page.encode(enc))
    items = read_path(p)
    (doc,) = only(items, Document)
    assert text in doc.raw and doc.title == text[:8]
    assert facts(doc)
    assert only(items, Failure) == []
    # a declaration that is right is followed even where another reading is as good
    p.write_bytes(page.encode(enc).replace(f'charset="{declared}"'.encode(), f'charset="{enc}"'.encode()))
    (same,) = only(read_path(p), Document)
    assert same.raw == doc.raw


def test_only_regular_files_are_read(tmp_path):
    """A link to /dev/zero read until MemoryError; a link to a FIFO hung for ever."""
    import os

    c = tmp_path / "c"
    c.mkdir()
    (c / "good.txt").write_text("阳山县人民医院对口帮扶黎埠镇卫生院。", encoding="utf-8")
    os.symlink("/dev/zero", c / "zero.txt")
    os.mkfifo(tmp_path / "pipe")
    os.symlink(tmp_path / "pipe", c / "pipe_link.jsonl")
    os.mkfifo(c / "fifo.txt")
    got, bad = docs(c)
    assert list(got) == ["good.txt"]
    reasons = {Path(f.path).name: f.reason for f in bad}
    assert set(reasons) == {"zero.txt", "pipe_link.jsonl", "fifo.txt"}
    assert reasons["zero.txt"].startswith("not a regular file (a character device; it is a link to /dev/zero)")
    assert reasons["pipe_link.jsonl"].startswith("not a regular file (a named pipe (FIFO); it is a link to")
    assert reasons["fifo.txt"] == "not a regular file (a named pipe (FIFO)); only regular files are read"
    got, bad = docs(c / "fifo.txt", c / "zero.txt", str(c / "*.jsonl"))  # named on the command line too
    assert not got and len(bad) == 3 and all(f.reason.startswith("not a regular file") for f in bad)


def test_files_over_the_size_limit_are_read_in_part(tmp_path, monkeypatch):
    from loaders import read

    monkeypatch.setattr(read, "MAX_FILE_BYTES", 2000)
    monkeypatch.setattr(read, "MAX_PAGE_BYTES", 300)
    lines = [json.dumps({"text": f"第{i}篇：阳山县人民医院对口帮扶黎埠镇卫生院。"}, ensure_ascii=False) for i in range(60)]
    p = tmp_path / "many.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read_path(p)
    kept = only(items, Document)
    size = p.stat().st_size
    fits = len(p.read_bytes()[:2000].split(b"\n")) - 1  # whole lines in the first 2000 bytes
    assert [d.id for d in kept] == [f"many.jsonl#{i}" for i in range(1, fits + 1)] and 0 < fits < 60
    (note,) = only(items, Failure)
    assert note.reason.startswith(f"file is {size:,} bytes, over the limit of 2,000")
    t = tmp_path / "long.txt"
    t.write_text("阳山县人民医院对口帮扶黎埠镇卫生院。\n" * 40, encoding="utf-8")
    items = read_path(t, max_chars=10_000)
    (doc,) = only(items, Document)
    assert doc.raw == "阳山县人民医院对口帮扶黎埠镇卫生院。\n" * 5  # 5 whole lines of 58 bytes fit in 300
    assert only(items, Failure)[0].reason.startswith(f"file is {t.stat().st_size:,} bytes")


def test_a_record_that_nests_too_deeply_is_that_records_failure(tmp_path):
    """1,000 nested brackets on one JSONL line (2 KB) aborted the whole build with exit 4."""
    p = tmp_path / "x.jsonl"
    deep_meta = {"text": "阳山县人民医院对口帮扶黎埠镇卫生院。", "title": json.loads("[" * 500 + "]" * 500)}
    p.write_text("\n".join(["[" * 1000 + "]" * 1000, '{"text": ' + "[" * 5000,
                            json.dumps({"text": "饶平县人民医院牵头组建医共体。"}, ensure_ascii=False),
                            json.dumps(deep_meta, ensure_ascii=False)]) + "\n", encoding="utf-8")
    got, bad = docs(p)
    assert set(got) == {"x.jsonl#3", "x.jsonl#4"} and got["x.jsonl#4"].title is None
    assert [(f.record, "nests brackets too deeply" in f.reason) for f in bad] == [("1", True), ("2", True)]


def test_counting_articles_for_the_progress_total_never_waits_on_a_fifo(tmp_path):
    """count_articles reads what the reader reads: records of regular files, nothing else."""
    import os
    import threading

    from loaders.read import count_articles

    (tmp_path / "a.jsonl").write_text('{"text": "一"}\n\n{"text": "二"}\n', encoding="utf-8")
    (tmp_path / "b.csv").write_text("text\n一\n二\n三\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("三", encoding="utf-8")
    os.mkfifo(tmp_path / "d.jsonl")
    got = []
    t = threading.Thread(target=lambda: got.append(count_articles(list(iter_paths([str(tmp_path)])))),
                         daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive() and got == [2 + 3 + 1 + 1]
