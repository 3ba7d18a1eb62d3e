"""Sentences: clean text split at sentence ends, with offsets; a newline also ends a paragraph."""
from __future__ import annotations

import re
from dataclasses import dataclass

SENTENCE_END = re.compile(r"[。！？!?；;\n]+")
#: Punctuation that ends a clause inside a sentence (and the sentence ends).
CLAUSE_MARK = re.compile(r"[，,：:；;。！？!?]")
#: Adverbs and time phrases that open a clause without being its subject (先后, 同时, 2023年起 …).
ADVERBS = re.compile(r"(先后|陆续|分别|同时|并且|并|还|又|也|已经|已|均|共|累计|每年|每月|持续|积极|主动|"
                     r"自\d+年以来|\d+年以来|\d+年起|\d+年\d*月?|今年|去年|近年来|目前|此外|其中|通过|"
                     r"组团式|对口|定期|长期)")


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int


def clause_start(text: str, lo: int, pos: int) -> int:
    """Where the clause holding ``pos`` starts: after the last clause mark in ``[lo, pos)``, else ``lo``."""
    return max((m.end() for m in CLAUSE_MARK.finditer(text, lo, pos)), default=lo)


def clause_end(text: str, pos: int, hi: int) -> int:
    """Where the clause holding ``pos`` ends: at the next clause mark in ``[pos, hi)``, else ``hi``."""
    m = CLAUSE_MARK.search(text, pos, hi)
    return m.start() if m else hi


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

