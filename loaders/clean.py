"""Clean: raw article text → clean Simplified prose, metadata, and the offset map back to raw."""
from __future__ import annotations

import re

import opencc

from kg.model import Document, OffsetMap

_T2S = opencc.OpenCC("t2s")
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def clean(doc: Document) -> Document:
    raw = doc.raw
    keep = [True] * len(raw)
    for m in _PINYIN.finditer(raw):
        for i in range(m.start(), m.end()):
            keep[i] = False
    chars = [c for c, k in zip(raw, keep) if k]
    idx = [i for i, k in enumerate(keep) if k]
    text = _T2S.convert("".join(chars))
    if len(text) != len(chars):
        text = "".join(_T2S.convert(c) for c in chars)
    doc.text = text
    doc.offsets = OffsetMap(starts=idx, ends=[i + 1 for i in idx])
    return doc
