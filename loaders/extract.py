"""Extract: clean text → sentences, entity mentions and relation candidates between them.

The work is split by what it finds: ``sentences`` (where sentences and paragraphs
are), ``mentions`` (entity names), ``rules`` (relation candidates from cue words),
``quantities`` (money, experts, periods). Nothing here knows which real entity a
mention is: that is the link stage's job.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.model import Document, Mention

from .mentions import find_mentions
from .rules import RelationCandidate, relation_candidates
from .sentences import Sentence, split_sentences


@dataclass
class Extraction:
    """What extraction found in one document: its sentences, mentions and relation candidates."""

    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[RelationCandidate]


def extract(doc: Document) -> Extraction:
    """Sentences, mentions and relation candidates of one cleaned document."""
    text = doc.text
    sentences = split_sentences(text)
    mentions, inner = find_mentions(text)
    # Region prefixes inside institution names are mentions of the region too (广东省第二人民医院).
    all_mentions = mentions + inner
    for r in inner:
        r.rule = "prefix-of-name"
    relations = relation_candidates(text, mentions, sentences)
    return Extraction(sentences, all_mentions, relations)
