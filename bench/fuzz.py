"""Fuzz the reader, the cleaner and the extractor/linker with generated hostile input; prints JSON.

Every input is made by a seeded generator (input ``i`` of seed ``s`` is always the
same bytes, so a crash can be replayed with ``--only i``) from one of:

* ``bytes``   — byte noise: random bytes, NULs, BOMs, broken UTF-8/GBK sequences;
* ``unicode`` — code points from every plane that matters (CJK and its extensions,
  full-width forms, combining marks, bidi and zero-width controls, private use,
  lone surrogates in JSON escapes, emoji, U+FFFD);
* ``domain``  — text built from health-domain fragments: real division names, hospital
  stems and suffixes, relation cue words, programme/alliance words, pinyin glosses,
  ``?`` mojibake holes, spin forms, boilerplate markers, dates, quantities, punctuation;
* ``mutant``  — a slice of a seed article with random edits, insertions and fragments;
* ``hostile`` — files that once took the reader down or lost an article: a FIFO, a link to
  ``/dev/zero``, JSONL nesting thousands of brackets deep, stray 0xFF / NUL bytes in a UTF-8
  article, HTML nested past the parser's limits or with a 10 MB attribute, a short headline
  in GBK or Big5, a page whose declared charset is wrong;

then encoded (UTF-8 with or without BOM, GB18030, Big5, UTF-16, or left as bytes) and
wrapped as a ``.txt`` file, a JSONL line (sometimes broken), a CSV row (sometimes broken)
or an HTML page. Each input is written to a temporary file and goes through
``loaders.read.read_path`` → ``loaders.clean.clean`` → ``loaders.extract.extract`` →
``loaders.link.link``. A ``ReadError`` (the reader's per-file failure) and ``Failure``
records are expected; any other exception is a crash. Cheap invariants are checked
too (the offset map has one entry per clean character and stays inside the raw text;
every evidence span lies inside the raw text; every relation joins entities of the
result); a broken invariant counts as a crash of kind ``invariant``.

Output (stdout): ``{"inputs", "crashes", "seconds", "by_kind", "examples_of_crashes"}``;
exit status 1 when there was any crash.

Usage: python bench/fuzz.py [--count 100000] [--seed 0] [--jobs N] [--only I ...]
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_EXAMPLES = 10

# --------------------------------------------------------------------------- fragments

_HAND = {
    "hospital": ["人民医院", "中医院", "中医医院", "妇幼保健院", "卫生院", "中心卫生院", "第一人民医院",
                 "第二人民医院", "附属第一医院", "医科大学附属医院", "社区卫生服务中心", "疾病预防控制中心",
                 "总医院", "医共体总医院", "分院", "院区", "县人民医院", "省第二人民医院", "市中医院"],
    "org": ["卫生健康委员会", "卫健委", "卫生健康局", "医疗保障局", "人民政府", "县委", "中共", "委员会",
            "领导小组", "办公室", "国家卫健委", "国务院", "医政司", "中山大学", "暨南大学", "医学院",
            "医联体", "医共体", "专科联盟", "医疗集团", "健康集团", "联盟", "成员单位"],
    "program": ["百县千镇万村高质量发展工程", "百千万工程", "组团式帮扶", "行动计划", "专项行动", "工程",
                "计划", "项目", "培训班", "基层行", "千县工程", "优质医疗资源下沉", "援藏", "援疆"],
    "verb": ["对口帮扶", "对口支援", "托管", "全面托管", "结对帮扶", "帮扶", "支援", "牵头", "加入", "纳入",
             "成为", "的成员单位", "签订", "签署", "合作协议", "携手", "派驻", "选派", "设立", "挂牌",
             "在", "得到", "的帮扶", "与", "和", "同", "及", "由", "将", "把", "向", "为", "以下简称"],
    "punct": ["，", "。", "；", "：", "！", "？", "、", "（", "）", "《", "》", "“", "”", "「", "」",
              "【", "】", "—", "…", "·", ",", ".", ";", ":", "!", "?", "(", ")", "\"", "'", " ", "\n",
              "\n\n", "\t", "\r\n", "\u3000", "\u00a0", "\u200b", "\ufeff", "\ufffd", "?", "??", "???"],
    "pinyin": ["(bào)", "(wèi)", "(shēng)", "(yī)", "(yuàn)", "（xiàn）", "?shù)", "(zhī)", "(yuán)",
               "(CT)", "(8.16%)", "(試行)", "(以下简称《方案》)", "(a)", "(ǖ)"],
    "traditional": ["醫院", "衛生", "廣東省", "陽山縣", "對口幫扶", "醫療", "當?shù)厝罕娽t療", "報(bào)訊",
                    "縣人民醫院", "組團式", "醫聯體"],
    "number": ["2024年", "2019年5月", "2024年5月31日", "2024-05-31", "2024/06/13", "自2019年以来",
               "2021年~2023年", "26名", "100万元", "1.5亿元", "13间", "第十", "三家", "１２３", "０",
               "20240531", "99999999999999999999年", "0年0月0日", "2024年13月40日"],
    "meta": ["发布时间：", "来源：", "作者：", "记者 张三", "（文/李四）", "浏览次数：", "责任编辑：",
             "扫一扫", "返回顶部", "首页", "当前位置：", "版权所有", "打印", "字号", "http://example.org/a?b=1"],
    "hostile": ["'", "\"", "}", "{", "})", "'})-[:X]->()", "RETURN 1 //", "\\", "\\u0000", "<script>",
                "</p>", "&amp;", "&#0;", "]]>", "\"}) RETURN 1 //", "; DROP ALL #", "%s", "{0}", "${x}"],
}


def _fragments() -> dict[str, list[str]]:
    """Hand lists plus the real vocabularies and a sample of division names."""
    from loaders.divisions import divisions
    from loaders.lexicon import lexicon, read_lines

    out = {k: list(v) for k, v in _HAND.items()}
    lex = lexicon()
    out["verb"] += list(lex.cues)
    out["hospital"] += read_lines("hospital_suffixes.txt") + read_lines("hospital_stems.txt")
    spin = [line.split("\t")[0] for line in read_lines("spin.tsv")[1:]]
    out["spin"] = [s for s in spin if s]
    regions = sorted(divisions().regions.values(), key=lambda r: r.key)
    rng = random.Random(1)
    big = [r for r in regions if r.type != "Town"]
    towns = rng.sample([r for r in regions if r.type == "Town"], 400)
    out["region"] = ([r.name for r in big] + [r.short for r in big if r.short]
                     + [r.name for r in towns] + ["县", "市", "省", "区", "镇", "乡", "我省", "本市", "全县"])
    return out


_NOISE_RANGES = [(0x20, 0x7E), (0x00, 0x1F), (0x80, 0xFF), (0x300, 0x36F), (0x4E00, 0x9FFF),
                 (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF),
                 (0x3000, 0x303F), (0x2000, 0x206F), (0xE000, 0xF8FF), (0x1F300, 0x1FAFF),
                 (0xFFF0, 0xFFFF), (0x0590, 0x06FF), (0x2E80, 0x2FDF), (0xAC00, 0xD7A3)]


def _unicode_noise(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        lo, hi = rng.choice(_NOISE_RANGES)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def _byte_noise(rng: random.Random, n: int) -> bytes:
    pick = rng.random()
    if pick < 0.3:
        return bytes(rng.getrandbits(8) for _ in range(n))
    if pick < 0.5:  # mostly high bytes: looks like GBK/Big5/UTF-8 but is not
        return bytes(rng.randint(0x80, 0xFF) for _ in range(n))
    if pick < 0.7:  # broken UTF-8: valid text with bytes chopped out
        good = bytearray(_unicode_noise(rng, n // 2 + 1).encode("utf-8", "surrogatepass"))
        for _ in range(rng.randint(1, 4)):
            if good:
                del good[rng.randrange(len(good))]
        return bytes(good)
    prefix = rng.choice([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"])
    body = bytes(rng.choice([0, 0x0A, 0x0D, 0x41, 0xE4, 0xB8, 0xAD, 0x80, 0xFF, 0xC0, 0x3F])
                 for _ in range(n))
    return prefix + body


def _domain_text(rng: random.Random, frags: dict[str, list[str]], n: int) -> str:
    kinds = list(frags)
    weights = [6 if k in ("region", "hospital", "verb", "punct") else 2 for k in kinds]
    parts = []
    for _ in range(n):
        k = rng.choices(kinds, weights)[0]
        parts.append(rng.choice(frags[k]))
        if rng.random() < 0.03:
            parts.append(_unicode_noise(rng, rng.randint(1, 4)))
    return "".join(parts)


def _mutant(rng: random.Random, seeds: list[str], frags: dict[str, list[str]]) -> str:
    s = rng.choice(seeds)
    a = rng.randrange(len(s))
    text = list(s[a:a + rng.randint(20, 1500)])
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        pos = rng.randint(0, len(text))
        if op < 0.3 and text:
            del text[pos:pos + rng.randint(1, 8)]
        elif op < 0.6:
            text[pos:pos] = list(rng.choice(frags[rng.choice(list(frags))]))
        elif op < 0.8 and text:
            seg = text[pos:pos + rng.randint(1, 40)]
            text[pos:pos] = seg * rng.randint(1, 4)
        else:
            text[pos:pos] = list(_unicode_noise(rng, rng.randint(1, 5)))
    return "".join(text)


def _encode(rng: random.Random, text: str) -> bytes:
    enc = rng.choices(["utf-8", "utf-8-sig", "gb18030", "big5", "utf-16", "utf-16-le"], [10, 2, 3, 2, 2, 1])[0]
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def _as_jsonl(rng: random.Random, text: str) -> bytes:
    lines = []
    for _ in range(rng.randint(1, 3)):
        rec = {rng.choice(["text", "content", "body"]): text, "title": text[:rng.randint(0, 30)]}
        if rng.random() < 0.5:
            rec["published"] = rng.choice(["2024-05-31", "2024年5月31日", "yesterday", "", "2024-13-45", 20240531])
        for k in rng.sample(["url", "source", "author"], rng.randint(0, 3)):
            rec[k] = rng.choice([text[:10], None, 7, [1], {"a": 1}, ""])
        line = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.15:  # a JSON escape for a lone surrogate
            line = line.replace("\"title\": \"", "\"title\": \"\\ud800", 1)
        if rng.random() < 0.15:
            line = line[:rng.randrange(len(line))]
        lines.append(line)
    if rng.random() < 0.2:
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(["[1, 2]", "{broken", "null", "\"x\"", ""]))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _as_csv(rng: random.Random, text: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    header = rng.choice([["title", "text"], ["text"], ["content", "url", "published"], ["body"],
                         ["TEXT ", "\ufefftitle"]])
    w.writerow(header)
    for _ in range(rng.randint(1, 3)):
        row = [text if h.strip().lower().lstrip("\ufeff") in ("text", "content") else text[:8] for h in header]
        if rng.random() < 0.2:
            row = row[:-1] or ["x", "y", "z"]
        w.writerow(row)
    data = buf.getvalue()
    if rng.random() < 0.2:
        cut = rng.randrange(len(data))
        data = data[:cut] + rng.choice(["\"", "\x00", "\r", "\n\"", ""]) + data[cut:]
    return data.encode("utf-8", "surrogatepass")


def _as_html(rng: random.Random, text: str) -> bytes:
    charset = rng.choice(["utf-8", "gbk", "gb2312", "big5", "latin-1", "no-such-charset", ""])
    meta = f'<meta charset="{charset}">' if charset else ""
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    page = (f"<html><head>{meta}<title>{text[:20]}</title></head><body>"
            f"<div><article>{paras}</article></div></body></html>")
    if rng.random() < 0.2:
        page = page[:rng.randrange(len(page))]
    return _encode(rng, page)


#: What the hostile generator makes a file into, besides bytes (see ``_hostile``).
SPECIAL = {"fifo": "a named pipe", "devzero": "a link to /dev/zero"}


def _hostile(rng: random.Random, seeds: list[str]) -> tuple[str, bytes | str]:
    """A file that once took the reader down or lost an article (issue 16): a FIFO or a link to
    /dev/zero (data names the special file), deeply nested JSON, stray 0xFF/NUL bytes in a
    UTF-8 article, HTML nested past the parser's limits or with a huge attribute, a short
    headline in GBK or Big5, a page whose declared charset is wrong."""
    text = rng.choice(seeds)
    a = rng.randrange(len(text))
    part = text[a:a + rng.randint(200, 3000)]
    paras = "".join(f"<p>{x}</p>" for x in part.split("\n") if x.strip())
    what = rng.choice(["fifo", "devzero", "deep-json", "stray-bytes", "nuls", "deep-html", "huge-attribute",
                       "short-cjk", "wrong-charset"])
    if what in SPECIAL:
        return rng.choice([".txt", ".jsonl", ".html"]), what
    if what == "deep-json":
        n = rng.randint(500, 5000)
        good = json.dumps({"text": part}, ensure_ascii=False)
        deep = rng.choice(["[" * n + "]" * n, '{"text": "x", "title": ' + "[" * n + "]" * n + "}", "{" * n])
        return ".jsonl", (deep + "\n" + good + "\n").encode("utf-8")
    if what in ("stray-bytes", "nuls"):
        data = bytearray(part.encode("utf-8"))
        marks = [b"\x00"] if what == "nuls" else [b"\xff", b"\xc0", b"\x80", b"\xfe\xff", b"\xed\xa0\x80"]
        for _ in range(rng.randint(1, 6)):
            data[rng.randint(0, len(data)):0] = rng.choice(marks)
        return rng.choice([".txt", ".html"]), bytes(data)
    if what == "deep-html":
        n = rng.choice([200, 257, 1000, 2100, 3500])
        return ".html", f"<html><body>{'<div>' * n}{paras}{'</div>' * n}</body></html>".encode("utf-8")
    if what == "huge-attribute":
        blob = "A" * rng.choice([100_000, 10_500_000])
        return ".html", f'<html><body><div data-x="{blob}"><article>{paras}</article></div></body></html>'.encode()
    if what == "short-cjk":
        line = part.strip().split("\n")[0][:rng.randint(2, 30)]
        enc = rng.choice(["gbk", "gb18030", "big5", "utf-8"])
        return ".txt", (line + rng.choice(["\r\n", "\n", ""])).encode(enc, "replace")
    enc, declared = rng.choice([("big5", "gb2312"), ("gbk", "big5"), ("utf-8", "gbk"), ("gbk", "utf-8")])
    page = f'<html><head><meta charset="{declared}"><title>{part[:10]}</title></head><body>{paras}</body></html>'
    return ".html", page.encode(enc, "replace")


def make_input(seed: int, i: int, frags: dict[str, list[str]], seeds: list[str]) -> tuple[str, str, bytes | str]:
    """Input ``i`` of ``seed``: (generator kind, file suffix, bytes, or a SPECIAL name). Deterministic."""
    rng = random.Random(f"{seed}:{i}")
    kind = rng.choices(["bytes", "unicode", "domain", "mutant", "hostile"], [2, 2, 4, 2, 1])[0]
    if kind == "hostile":
        return (kind, *_hostile(rng, seeds))
    if kind == "bytes":
        data = _byte_noise(rng, rng.randint(0, 400))
        return kind, rng.choice([".txt", ".txt", ".jsonl", ".csv"]), data
    if kind == "unicode":
        text = _unicode_noise(rng, rng.randint(0, 300))
    elif kind == "domain":
        text = _domain_text(rng, frags, rng.randint(1, 120))
    else:
        text = _mutant(rng, seeds, frags)
    wrap = rng.choices([".txt", ".jsonl", ".csv", ".html"], [12, 3, 3, 1])[0]
    if wrap == ".txt":
        return kind, wrap, _encode(rng, text)
    if wrap == ".jsonl":
        return kind, wrap, _as_jsonl(rng, text)
    if wrap == ".csv":
        return kind, wrap, _as_csv(rng, text)
    return kind, wrap, _as_html(rng, text)


# --------------------------------------------------------------------------- one input


class InvariantError(AssertionError):
    """The pipeline ran but broke one of its promises."""


def _check(doc, result) -> None:
    n = len(doc.raw)
    if len(doc.offsets) != len(doc.text):
        raise InvariantError(f"offset map has {len(doc.offsets)} entries for {len(doc.text)} clean characters")
    if doc.offsets.starts and (min(doc.offsets.starts) < 0 or max(doc.offsets.ends) > n):
        raise InvariantError("offset map points outside the raw text")
    ids = {e.id for e in result.entities}
    for r in result.relations:
        if r.source not in ids or r.target not in ids:
            raise InvariantError(f"relation {r.key} joins an entity the result does not hold")
        for ev in r.evidence:
            if not (0 <= ev.start <= ev.end <= n):
                raise InvariantError(f"evidence span {ev.start}-{ev.end} outside raw text of {n} characters")
            if ev.sentence.strip() and not doc.raw[ev.start:ev.end]:
                raise InvariantError(f"evidence span {ev.start}-{ev.end} of a non-empty sentence is empty")


def run_one(path: Path) -> int:
    """Read, clean, extract and link one file; returns the number of documents analysed.
    Raises on a crash (anything but the reader's own ``ReadError``)."""
    from kg.model import Document, Failure
    from loaders.clean import clean
    from loaders.extract import extract
    from loaders.link import link
    from loaders.read import ReadError, read_path

    try:
        items = read_path(path)
    except ReadError:
        return 0
    done = 0
    for d in items:
        if isinstance(d, Failure):
            if not d.reason or "\n" in d.reason:
                raise InvariantError(f"a Failure's reason must be one line: {d.reason!r}")
            continue
        if not isinstance(d, Document):
            raise InvariantError(f"reader returned {type(d).__name__}")
        clean(d)
        result = link(d, extract(d))
        _check(d, result)
        done += 1
    return done


def _worker(args: tuple[int, list[int], str]) -> dict:
    seed, indexes, tmp = args
    frags = _fragments()
    seeds = [p.read_text(encoding="utf-8-sig") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    folder = Path(tempfile.mkdtemp(prefix="fuzz-", dir=tmp))
    kinds: Counter = Counter()
    crashes: list[dict] = []
    analysed = 0
    for i in indexes:
        kind, suffix, data = make_input(seed, i, frags, seeds)
        kinds[kind] += 1
        path = folder / f"input{suffix}"
        path.unlink(missing_ok=True)
        if data == "fifo":
            os.mkfifo(path)
        elif data == "devzero":
            os.symlink("/dev/zero", path)
        else:
            path.write_bytes(data)
        try:
            analysed += run_one(path)
        except Exception as exc:  # the whole point: catch and record everything
            tb = traceback.extract_tb(exc.__traceback__)
            where = next((f"{Path(f.filename).name}:{f.lineno} in {f.name}" for f in reversed(tb)
                          if "/loaders/" in f.filename or "/kg/" in f.filename), "?")
            crashes.append({"index": i, "kind": kind, "suffix": suffix,
                            "error": f"{type(exc).__name__}: {str(exc)[:300]}", "where": where,
                            "input": data[:300].decode("utf-8", "backslashreplace")})
    shutil.rmtree(folder, ignore_errors=True)
    return {"kinds": kinds, "crashes": crashes, "analysed": analysed}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--count", type=int, default=100_000, help="inputs to generate (default 100000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--only", type=int, nargs="*", help="replay these input indexes only")
    ap.add_argument("--chunk", type=int, default=500, help="inputs per worker task")
    args = ap.parse_args(argv)

    indexes = args.only if args.only else list(range(args.count))
    chunks = [indexes[k:k + args.chunk] for k in range(0, len(indexes), args.chunk)]
    tmp = tempfile.mkdtemp(prefix="kg-fuzz-")
    t0 = time.perf_counter()
    kinds: Counter = Counter()
    crashes: list[dict] = []
    analysed = 0
    try:
        tasks = [(args.seed, c, tmp) for c in chunks]
        if args.jobs > 1 and len(chunks) > 1:
            import multiprocessing as mp

            with mp.get_context("fork").Pool(args.jobs) as pool:
                results = pool.imap_unordered(_worker, tasks)
                for k, r in enumerate(results, 1):
                    kinds.update(r["kinds"])
                    crashes += r["crashes"]
                    analysed += r["analysed"]
                    print(f"fuzz: {k}/{len(chunks)} chunks, {len(crashes)} crashes", file=sys.stderr,
                          flush=True)
        else:
            for r in map(_worker, tasks):
                kinds.update(r["kinds"])
                crashes += r["crashes"]
                analysed += r["analysed"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    crashes.sort(key=lambda c: c["index"])
    distinct: dict[str, dict] = {}
    for c in crashes:
        distinct.setdefault(f"{c['where']} {c['error'].split(':', 1)[0]}", c)
    report = {
        "inputs": len(indexes),
        "documents_analysed": analysed,
        "crashes": len(crashes),
        "distinct_crashes": len(distinct),
        "seconds": round(time.perf_counter() - t0, 1),
        "seed": args.seed,
        "by_kind": dict(sorted(kinds.items())),
        "examples_of_crashes": list(distinct.values())[:MAX_EXAMPLES],
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
