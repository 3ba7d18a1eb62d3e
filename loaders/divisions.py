"""China's administrative divisions, from the data jionlp and cpca ship: names, codes, parents, coordinates,
and the names units had before they were renamed or changed status.

Loaded once per process (``divisions()``); every lookup afterwards is a dict hit.
Provinces, cities and counties carry their official 6-digit code; towns have no
code in the data, so a town's key is its county code plus its name.

Former names (``Region.former``) come from the data's own history (see ``_history``):
jionlp's change list (``china_location_change.txt``, the old-to-new mapping its location
parser uses), cpca's older division table, and the rule of 撤地设市 (X地区 → X市).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from . import jio
from .prepared import code_version, prepared

LEVELS = {"Province": 1, "City": 2, "County": 3, "Town": 4}

# Suffixes that make a short name from an official one (广西壮族自治区 → 广西 comes from the data's alias).
_COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "县", "区", "市", "旗")
_CITY_SUFFIXES = ("市", "地区", "盟")
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
    former: tuple[str, ...] = ()  # earlier names of this unit (新津县 for 新津区), see ``_history``

    @property
    def forms(self) -> tuple[str, ...]:
        """Other full written forms: 文山州 for 文山壮族苗族自治州, 威宁县 for 威宁彝族回族苗族自治县."""
        out = []
        for long, level in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
            if self.name.endswith(long) and self.short and len(self.short) >= 2:
                out.append(self.short if self.short.endswith(level) else self.short + level)
        if self.short and self.short != self.name and self.short[-1] in "州县旗" and len(self.short) >= 3:
            out.append(self.short)  # 科右前旗, 东乡县
        if self.type == "Town" and self.name.endswith("乡") and len(self.name) >= 3:
            out.append(self.name[:-1] + "镇")  # 竹核乡 since made a town: 竹核镇
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
    _chains: dict[str, list[Region]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def provinces(self) -> list[str]:
        return [k for k in self.children.get(None, [])]

    def add(self, r: Region) -> None:
        self.regions[r.key] = r
        self._chains.clear()
        if r.parent is None:
            self.children.setdefault(None, []).append(r.key)
        self.by_name.setdefault(r.name, []).append(r.key)
        for f in (*r.forms, *r.former):
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
        """The region and its ancestors, most specific first (a shared list: do not modify it)."""
        out = self._chains.get(key)
        if out is None:
            out = []
            r = self.regions.get(key)
            while r is not None and r not in out:
                out.append(r)
                r = self.regions.get(r.parent) if r.parent else None
            self._chains[key] = out
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
        """The region named by a full path such as 广东省清远市阳山县 (levels may be skipped; a level
        may be written with a former name: 四川省成都市新津县 is 新津区)."""
        rest, cur = path, None
        while rest:
            cands = self.children.get(cur.key, []) if cur else self.provinces
            step = self._step(cands, rest)
            if step is None and cur is not None:  # a skipped level: look one further down
                for k in cands:
                    step = self._step(self.children.get(k, []), rest)
                    if step:
                        break
            if step is None:
                return cur
            cur, rest = step[0], rest[len(step[1]):]
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

    def _step(self, keys: list[str], rest: str) -> tuple[Region, str] | None:
        """The first of ``keys`` whose name (else a former name, else another written form:
        文山州, or a township written as the town it has become) starts ``rest``, and that name."""
        for names in (lambda r: (r.name,), lambda r: r.former, lambda r: r.forms):
            for k in keys:
                r = self.regions[k]
                for n in names(r):
                    if rest.startswith(n):
                        return r, n
        return None

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
    """The division index (once per process; built from the packaged datasets once per version and
    kept on disk, ``loaders.prepared``)."""
    return prepared("divisions", code_version(), _build)


def _build() -> Divisions:
    """Build the division index from the packaged datasets."""
    jionlp = jio.jionlp()
    data = jionlp.china_location_loader(detail=True)
    coords = _coords()
    regions: list[Region] = []

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
        regions.append(mk(pcode, pname, "Province", None, alias(p, pname)))
        for cname, c in p.items():
            if cname.startswith("_"):
                continue
            if cname in _PLACEHOLDERS or not isinstance(c, dict):
                ccode, city_parent = pcode, pcode
            else:
                ccode = c["_admin_code"]
                # 直辖市 (北京市, 上海市 …) list themselves as their own city: skip the duplicate.
                if ccode != pcode:
                    regions.append(mk(ccode, cname, "City", pcode, alias(c, _short(cname, _CITY_SUFFIXES))))
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
                    regions.append(mk(kcode, kname, "County", city_parent,
                                      alias(k, _short(kname, _COUNTY_SUFFIXES))))
                for tname in k:
                    if tname.startswith("_") or not tname.endswith(_TOWN_SUFFIXES):
                        continue
                    regions.append(Region(f"{kcode}/{tname}", tname, "Town", kcode,
                                          _short(tname, _TOWN_SUFFIXES)))
    d = Divisions()
    for r in _history(regions, jionlp.china_location_change_loader()):
        d.add(r)
    return d


# --------------------------------------------------------------------------- history

def _history(regions: list[Region], changes: list[dict]) -> list[Region]:
    """The regions with their former names (``Region.former``), from the data's own history.

    * jionlp's change list (dated, approved renames: 撤县设区, 撤县设市, renamed units, city
      renames such as 襄樊市 → 襄阳市): the old name becomes a former name of the unit the
      entry names today. The list's new name is found in its province and city, allowing one
      character of difference (it writes 云岗区 for 云冈区, 玉环区 for 玉环市); where the
      location data predates the change (it still has 无为县), the unit takes the new name
      and keeps the old one as former.
    * cpca's division table (``adcodes.csv``), older than jionlp's: a county-level name it has
      and today's data lacks is a former name of the one unit in the same prefecture whose
      name has the same stem (长乐市 → 长乐区, 梁平县 → 梁平区, 赣县 → 赣县区).
    * 撤地设市: a prefecture-level city X市 was X地区 (那曲地区 → 那曲市), unless X地区 is a
      unit of today.

    A former name is never the current name of another unit of the same level.
    """
    by_key = {r.key: r for r in regions}
    current = {r.name for r in regions if r.type != "Town"}
    former: dict[str, list[str]] = {}
    renamed: dict[str, str] = {}
    provinces = {r.name: r for r in regions if r.type == "Province"}
    within: dict[tuple[str, str], list[Region]] = {}  # (province or city key, type) -> regions
    for r in regions:
        if r.type in ("City", "County"):
            for a in {r.parent, by_key[r.parent].parent} - {None}:
                within.setdefault((a, r.type), []).append(r)

    named = {n for ch in changes for n in ch["new_loc"] if n}

    def find(prov: str, city: str | None, new: str, old: str, typ: str) -> Region | None:
        """The unit a change names today: by its name or a written form, else the unit still
        under its old name (the data predates the change), else the one unit a character away
        that no other change names (the list writes 云岗区 for 云冈区; 云州区 is another entry's)."""
        p = provinces.get(prov)
        if p is None:
            return None
        pool = within.get((p.key, typ), [])
        c = next((r for r in within.get((p.key, "City"), []) if r.name == city), None) if city else None
        if c is not None and typ == "County":
            pool = within.get((c.key, typ), []) or pool
        for close in (lambda r: new in (r.name, *r.forms),
                      lambda r: r.name == old,
                      lambda r: len(r.name) == len(new) and sum(x != y for x, y in zip(r.name, new)) == 1
                      and r.name not in named):
            hits = [r for r in pool if close(r)]
            if len(hits) == 1:
                return hits[0]
            if hits:
                return None
        return None

    def add(r: Region, old: str) -> None:
        if old and old != renamed.get(r.key, r.name) and old not in r.forms and old not in former.setdefault(r.key, []):
            former[r.key].append(old)

    for ch in sorted(changes, key=lambda c: c.get("date", "")):
        (prov, _), (city, _), (county, _) = ch["old_loc"]
        new_prov, new_city, new_county = ch["new_loc"]
        typ, old, new = ("County", county, new_county) if county else ("City", city, new_city)
        if not old or not new:
            continue
        target = find(new_prov, new_city, new, old, typ)
        if target is None:
            continue
        if target.name == old and new != old:
            renamed[target.key] = new  # the location data predates the change
        add(target, old)

    import cpca

    with open(Path(cpca.__file__).parent / "resources" / "adcodes.csv", encoding="utf-8") as fh:
        older = [(row["adcode"][:6], row["name"]) for row in csv.DictReader(fh)]
    cities = {r.key: r for r in regions if r.type == "City"}
    for code, name in older:
        if name in current or name in _PLACEHOLDERS or code.endswith("00"):
            continue
        parent = code[:4] + "00" if code[:4] + "00" in cities else code[:2] + "0000"  # 直辖市: the province
        stem = _short(name, _COUNTY_SUFFIXES)
        same = [r for r in within.get((parent, "County"), [])
                if stem in (_short(r.name, _COUNTY_SUFFIXES), r.name[:-1]) and r.name != name]
        if len(same) == 1:
            add(same[0], name)

    for r in cities.values():
        if r.name.endswith("市") and r.short and r.short + "市" == r.name and r.short + "地区" not in current:
            add(r, r.short + "地区")

    out = []
    for r in regions:
        name = renamed.get(r.key, r.name)
        olds = tuple(n for n in former.get(r.key, ()) if n != name and (n not in current or n == r.name))
        if name != r.name:
            r = replace(r, name=name, short=_short(name, _COUNTY_SUFFIXES if r.type == "County" else _CITY_SUFFIXES))
        out.append(replace(r, former=olds) if olds else r)
    return out
