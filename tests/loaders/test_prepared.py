"""loaders.prepared: data built once per version, kept on disk as a pickle, rebuilt when damaged."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loaders import prepared as P

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_PREPARED_DIR", str(tmp_path / "prepared"))
    return tmp_path / "prepared"


def counting(value):
    calls = []

    def make():
        calls.append(1)
        return value
    return make, calls


def test_a_value_is_made_once_then_read_from_disk(folder):
    make, calls = counting({"regions": [1, 2, 3]})
    assert P.prepared("thing", "v1", make) == {"regions": [1, 2, 3]}
    assert P.prepared("thing", "v1", make) == {"regions": [1, 2, 3]}
    assert len(calls) == 1
    assert [p.name for p in folder.iterdir()] == ["thing-v1.pickle"]


def test_a_new_version_is_made_again_and_the_newest_few_are_kept(folder):
    for k in range(P.KEEP + 2):
        assert P.prepared("thing", f"v{k}", lambda: k) == k
        os.utime(folder / f"thing-v{k}.pickle", (1000 + k, 1000 + k))  # (mtimes in the order written)
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == sorted(f"thing-v{k}.pickle" for k in range(2, P.KEEP + 2))
    make, calls = counting("again")
    assert P.prepared("thing", "v0", make) == "again" and calls == [1]  # (an old one is made again)


def test_a_temporary_file_a_killed_writer_left_is_removed(folder):
    folder.mkdir()
    left = folder / ".thing-v0.pickle.abc123"  # (write_atomic names its temporaries so)
    left.write_bytes(b"half a pickle")
    os.utime(left, (1, 1))
    fresh = folder / ".thing-v1.pickle.def456"  # (another process may be writing this one now)
    fresh.write_bytes(b"being written")
    P.prepared("thing", "v1", lambda: 1)
    assert not left.exists() and fresh.exists()


@pytest.mark.parametrize("damage", [b"", b"not a pickle at all", b"\x80\x05\x95",
                                    hashlib.sha256(b"\x80\x05\x95").digest() + b"\x80\x05\x95"])
def test_a_damaged_file_is_made_again_and_rewritten(folder, damage):
    """Garbage, a truncated pickle, and a pickle whose digest checks but which does not load."""
    folder.mkdir()
    (folder / "thing-v1.pickle").write_bytes(damage)
    make, calls = counting([4, 5])
    assert P.prepared("thing", "v1", make) == [4, 5] and calls == [1]
    assert P.prepared("thing", "v1", make) == [4, 5] and calls == [1]  # the rewritten file is read


def test_off_neither_reads_nor_writes(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_PREPARED_DIR", "off")
    monkeypatch.chdir(tmp_path)
    make, calls = counting(7)
    assert P.prepared("thing", "v1", make) == 7 and P.prepared("thing", "v1", make) == 7
    assert calls == [1, 1] and not list(tmp_path.iterdir())


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_folder_that_cannot_be_written_is_skipped(folder):
    folder.mkdir()
    folder.chmod(0o500)
    try:
        make, calls = counting("value")
        assert P.prepared("thing", "v1", make) == "value" and calls == [1]
    finally:
        folder.chmod(0o700)


def test_a_file_where_the_folder_should_be_is_skipped(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("KG_PREPARED_DIR", str(blocker))
    make, calls = counting("value")
    assert P.prepared("thing", "v1", make) == "value" and P.prepared("thing", "v1", make) == "value"
    assert calls == [1, 1]


def test_a_file_whose_digest_does_not_check_is_not_unpickled(folder):
    P.prepared("thing", "v1", lambda: {"a": 1})
    f = folder / "thing-v1.pickle"
    blob = bytearray(f.read_bytes())
    blob[-3] ^= 0xFF  # one flipped byte in the pickle
    f.write_bytes(bytes(blob))
    make, calls = counting({"a": 2})
    assert P.prepared("thing", "v1", make) == {"a": 2} and calls == [1]


def test_no_home_folder_means_no_prepared_folder(monkeypatch):
    monkeypatch.delenv("KG_PREPARED_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home():
        raise RuntimeError("Could not determine home directory.")
    monkeypatch.setattr(P.Path, "home", staticmethod(no_home))
    assert P.prepared_dir() is None
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # (ignored: not absolute)
    assert P.prepared_dir() is None


def test_file_version_follows_the_file_contents(tmp_path):
    f = tmp_path / "model.json"
    f.write_text('{"a": 1}')
    one = P.file_version(f)
    f.write_text('{"a": 2, "b": 3}')
    assert P.file_version(f) != one
    with pytest.raises(OSError):
        P.file_version(tmp_path / "missing.json")


ANALYSE = ("from kg.pipeline import analyse; from kg.model import Document; "
           "r = analyse(Document(id='d', path='-', raw='六盘水市人民医院对口帮扶水城区人民医院，派驻专家12名。'));"
           "print(sorted((x.source, x.type, x.target) for x in r.relations))")


def test_a_process_that_reads_the_prepared_files_analyses_as_one_that_builds_them(folder):
    """The division index, lexicon and model from the pickles give the same result as built afresh."""
    env = dict(os.environ, KG_PREPARED_DIR=str(folder))
    run = lambda: subprocess.run([sys.executable, "-c", ANALYSE], cwd=ROOT, env=env, capture_output=True,
                                 text=True, check=True).stdout
    built = run()
    assert sorted(p.name.split("-")[0] for p in folder.glob("*.pickle")) == ["divisions", "lexicon", "model"]
    assert run() == built
    assert "SUPPORTS" in built
