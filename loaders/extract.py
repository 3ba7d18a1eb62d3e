"""Extract: clean text → sentences, entity mentions and relation candidates between them.

The work is split by what it finds: ``sentences`` (where sentences and paragraphs
are), ``mentions`` (entity names), ``rules`` (relation candidates from cue words),
``candidates`` (every pair of organisations that may be a partnership, for the
scorer to decide after linking), ``quantities`` (money, experts, periods). Nothing here knows which real entity a
mention is: that is the link stage's job.
"""
from __future__ import annotations

from dataclasses import dataclass

from kg.model import Document, Mention

from .candidates import PairCandidate, pair_candidates
from .mentions import find_mentions
from .rules import RelationCandidate, chain_prefixes, relation_candidates
from .sentences import Sentence, split_sentences


@dataclass
class Extraction:
    """What extraction found in one document: its sentences, mentions and relation candidates."""

    sentences: list[Sentence]
    mentions: list[Mention]
    relations: list[RelationCandidate]
    pairs: list[PairCandidate]


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
    pairs = pair_candidates(text, sentences, mentions, skip=chain_prefixes(mentions))
    return Extraction(sentences, all_mentions, relations, pairs)
