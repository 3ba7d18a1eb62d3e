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
from loaders.read import (ReadError, content_hash, decode_bytes, doc_ids, iter_documents, iter_paths,
                          read_path)

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
    try:
        got = decode_bytes(data)
    except ReadError:
        return  # empty, or control-heavy text reported as binary
    if enc in ("utf-8-sig", "utf-16") or (enc == "utf-8" and "\x00" not in text):
        assert got == text  # (NUL bytes without a BOM may be read as BOM-less UTF-16)
