"""China's administrative divisions, from the data jionlp and cpca ship: names, codes, parents, coordinates.

Loaded once per process (``divisions()``); every lookup afterwards is a dict hit.
Provinces, cities and counties carry their official 6-digit code; towns have no
code in the data, so a town's key is its county code plus its name.
"""
from __future__ import annotations

import contextlib
import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

LEVELS = {"Province": 1, "City": 2, "County": 3, "Town": 4}

# Suffixes that make a short name from an official one (广西壮族自治区 → 广西 comes from the data's alias).
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")
_TOWN_SUFFIXES = ("街道", "镇", "乡")
# Placeholder levels in the data that are not real divisions.
_PLACEHOLDERS = {"省直辖行政区划", "自治区直辖县级行政区划", "市辖区", "县", "省直辖县级行政区划",
                 "市直辖行政区划"}


@dataclass(frozen=True)
class Region:
    """One administrative division."""

    key: str  # 6-digit code, or "<county code>/<town name>" for towns
    name: str
    type: str  # Province | City | County | Town
    parent: str | None
    short: str = ""
    lon: float | None = None
    lat: float | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        """Other full written forms: 文山州 for 文山壮族苗族自治州, 威宁县 for 威宁彝族回族苗族自治县."""
        out = []
        for long, level in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if self.name.endswith(long) and self.short and len(self.short) >= 2:
                out.append(self.short if self.short.endswith(level) else self.short + level)
        if self.short and self.short != self.name and self.short[-1] in "州县旗" and len(self.short) >= 3:
            out.append(self.short)  # 科右前旗, 东乡县
        return tuple(f for f in dict.fromkeys(out) if f != self.name)

    @property
    def code(self) -> str | None:
        return self.key if "/" not in self.key else None

    @property
    def level(self) -> int:
        return LEVELS[self.type]


@dataclass
class Divisions:
    """All divisions, indexed by key and by every name they are written with."""

    regions: dict[str, Region] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)  # full names
    by_short: dict[str, list[str]] = field(default_factory=dict)  # short names (阳山, 广东)
    children: dict[str, list[str]] = field(default_factory=dict)
    by_short_town: dict[str, list[str]] = field(default_factory=dict)  # 新丰 → towns named 新丰镇

    @property
    def provinces(self) -> list[str]:
        return [k for k in self.children.get(None, [])]

    def add(self, r: Region) -> None:
        self.regions[r.key] = r
        if r.parent is None:
            self.children.setdefault(None, []).append(r.key)
        self.by_name.setdefault(r.name, []).append(r.key)
        for f in r.forms:
            self.by_name.setdefault(f, []).append(r.key)
        if r.short and r.short != r.name:
            if r.type == "Town":
                self.by_short_town.setdefault(r.short, []).append(r.key)
            else:
                self.by_short.setdefault(r.short, []).append(r.key)
        if r.parent:
            self.children.setdefault(r.parent, []).append(r.key)

    def get(self, key: str | None) -> Region | None:
        return self.regions.get(key) if key else None

    def chain(self, key: str) -> list[Region]:
        """The region and its ancestors, most specific first."""
        out: list[Region] = []
        r = self.regions.get(key)
        while r is not None and r not in out:
            out.append(r)
            r = self.regions.get(r.parent) if r.parent else None
        return out

    def path(self, key: str) -> str:
        """Full administrative path, e.g. 广东省清远市阳山县."""
        return "".join(r.name for r in reversed(self.chain(key)))

    def is_within(self, key: str, ancestor: str) -> bool:
        return any(r.key == ancestor for r in self.chain(key))

    def county_of(self, key: str) -> Region | None:
        """The county-level region containing ``key`` (itself if a county)."""
        for r in self.chain(key):
            if r.type == "County":
                return r
        return None

    def resolve_path(self, path: str) -> Region | None:
        """The region named by a full path such as 广东省清远市阳山县 (levels may be skipped)."""
        rest, cur = path, None
        while rest:
            cands = self.children.get(cur.key, []) if cur else self.provinces
            step = None
            for k in cands:
                if rest.startswith(self.regions[k].name):
                    step = self.regions[k]
                    break
            if step is None and cur is not None:  # a skipped level: look one further down
                for k in cands:
                    for k2 in self.children.get(k, []):
                        if rest.startswith(self.regions[k2].name):
                            step = self.regions[k2]
                            break
                    if step:
                        break
            if step is None:
                return cur
            cur, rest = step, rest[len(step.name):]
        return cur

    def seat(self, key: str) -> Region | None:
        """The city a province is governed from (广东省 → 广州市), None for other regions.

        cpca places a province at the seat of its government, so its seat is the child
        city nearest that point (checked for every province in tests/loaders). Provinces
        with no city level (北京市) or no coordinates have none.
        """
        p = self.regions.get(key)
        if p is None or p.type != "Province" or p.lon is None or p.lat is None:
            return None
        cities = [self.regions[k] for k in self.children.get(key, [])
                  if self.regions[k].type == "City" and self.regions[k].lon is not None]
        return min(cities, key=lambda c: (c.lon - p.lon) ** 2 + (c.lat - p.lat) ** 2, default=None)

    def lookup(self, name: str) -> list[Region]:
        """Regions whose full or short name is ``name``."""
        keys = self.by_name.get(name, []) + self.by_short.get(name, [])
        return [self.regions[k] for k in dict.fromkeys(keys)]


def _short(name: str, suffixes: tuple[str, ...]) -> str:
    for s in suffixes:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name


def _coords() -> dict[str, tuple[float, float]]:
    import cpca

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    out = {}
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                out[row["adcode"][:6]] = (float(row["longitude"]), float(row["latitude"]))
            except (KeyError, ValueError):
                continue
    return out


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    """Build the division index from the packaged datasets (once per process)."""
    # jionlp prints a banner on import; keep stdout clean for `kg ... --format json`.
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import jionlp

        data = jionlp.china_location_loader(detail=True)
    coords = _coords()
    d = Divisions()

    def alias(node, fallback):
        a = node.get("_alias")
        if isinstance(a, list):
            a = a[0] if a else None
        return a or fallback

    def mk(code, name, typ, parent, short):
        lon, lat = coords.get(code, (None, None))
        return Region(code, name, typ, parent, short, lon, lat)

    for pname, p in data.items():
        pcode = p["_admin_code"]
        d.add(mk(pcode, pname, "Province", None, alias(p, pname)))
        for cname, c in p.items():
            if cname.startswith("_"):
                continue
            if cname in _PLACEHOLDERS or not isinstance(c, dict):
                ccode, city_parent = pcode, pcode
            else:
                ccode = c["_admin_code"]
                # 直辖市 (北京市, 上海市 …) list themselves as their own city: skip the duplicate.
                if ccode != pcode:
                    d.add(mk(ccode, cname, "City", pcode, alias(c, _short(cname, ("市", "地区", "盟")))))
                city_parent = ccode
            for kname, k in c.items():
                if kname.startswith("_") or not isinstance(k, dict):
                    continue
                kcode = k.get("_admin_code")
                if not kcode:
                    continue
                if kname in _PLACEHOLDERS or kcode == city_parent:
                    kcode = city_parent  # towns directly under a city (中山市, 东莞市)
                else:
                    d.add(mk(kcode, kname, "County", city_parent,
                             alias(k, _short(kname, _COUNTY_SUFFIXES))))
                for tname in k:
                    if tname.startswith("_") or not tname.endswith(_TOWN_SUFFIXES):
                        continue
                    d.add(Region(f"{kcode}/{tname}", tname, "Town", kcode,
                                 _short(tname, _TOWN_SUFFIXES)))
    return d
