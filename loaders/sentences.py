"""Sentences: clean text split at sentence ends, with offsets; a newline also ends a paragraph."""
from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
#: Punctuation that ends a clause inside a sentence (and the sentence ends).
CLAUSE_MARK = re.compile(r"[，,：:；;。！？!?]")


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int



def split_sentences(text: str) -> list[Sentence]:
    """Sentences with their clean-text offsets; a newline also ends a paragraph."""
    out, para, pos = [], 0, 0
    for m in SENTENCE_END.finditer(text + "\n"):
        seg = text[pos:m.start()]
        body = seg.strip()
        if body:
            start = pos + len(seg) - len(seg.lstrip())
            out.append(Sentence(start, start + len(body), body, para))
        if "\n" in m.group():
            para += 1
        pos = m.end()
    return out

