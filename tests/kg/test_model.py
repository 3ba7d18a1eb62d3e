"""The typed records (kg.model): they cross processes and the result cache as pickles."""
from __future__ import annotations

import pickle
import pickletools

from kg.model import ArticleResult, CleanStep, Document, Entity, Evidence, OffsetMap, Relation
from kg.pipeline import Analysed


def sample_result() -> ArticleResult:
    ev = Evidence("a.txt", "甲医院对口帮扶乙县人民医院。", 3, 17, "scorer", 0.9, "dir/a.txt", "2024-05-01")
    rel = Relation("Hospital/甲医院", "SUPPORTS", "Hospital/441823/人民医院", {"since": "2024"}, [ev])
    rel.__dict__["_seen"] = {ev.key()}  # the reduce's scratch set: not part of the record
    ent = Entity("Hospital/甲医院", "Hospital", "甲医院", {"甲院"}, {"region": "广东省"}, {"a.txt": 2})
    doc = Document("a.txt", "dir/a.txt", "", offsets=OffsetMap([0, 1], [1, 2]), title="标题",
                   published="2024-05-01", spun=True, steps=[CleanStep("pinyin", 2, ["衛(wèi)生"])])
    return ArticleResult(doc, [ent], [rel], [{"surface": "甲院", "id": ent.id, "doc": "a.txt"}], [])


def test_records_read_back_equal_from_a_pickle():
    res = sample_result()
    back = pickle.loads(pickle.dumps(res, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == res
    assert back.relations[0].evidence[0] == res.relations[0].evidence[0]
    assert "_seen" not in back.relations[0].__dict__


def test_records_are_pickled_as_constructor_calls():
    """Each record is rebuilt by calling its class with its field values (REDUCE), not as a bare
    object whose attributes are then set (NEWOBJ and BUILD), which reads back far slower."""
    ops = {op.name for op, _, _ in pickletools.genops(pickle.dumps(Analysed(sample_result(), 40, 30), protocol=5))}
    assert "REDUCE" in ops and not ops & {"NEWOBJ", "NEWOBJ_EX", "BUILD"}
