"""Real county-level divisions of Gansu (GB/T 2260 codes of the 2012–2016 era; 华亭 as a 市 since 2018, as the map
data files it) with approximate seats.

Names and codes are real; seat coordinates are rounded (about ±2 km), enough for a demo map.
Villages, people and their coordinates generated around them are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class County:
    """A county-level division: 县, 区, 县级市 or 自治县."""

    code: str  # 6 digits
    name: str
    lat: float
    lon: float
    weight: float = 1.0  # relative number of townships (urban core districts have few)
    governed: bool = True  # False for a bare 市辖区 with no county government of its own


@dataclass(frozen=True)
class Prefecture:
    """A prefecture-level city (地级市) or autonomous prefecture (自治州)."""

    code: str  # 4 digits
    name: str  # full name, e.g. 临夏回族自治州
    short: str  # e.g. 临夏, as in 国家统计局临夏调查队
    prefix: str  # as used in unit names, e.g. 临夏州 (中共临夏州委)
    lat: float  # seat of the city government
    lon: float
    counties: tuple[County, ...]


@dataclass(frozen=True)
class Province:
    code: str  # 2 digits
    name: str
    prefix: str
    lat: float
    lon: float
    prefectures: tuple[Prefecture, ...]


def _p(code, name, short, prefix, seat, counties) -> Prefecture:
    return Prefecture(code, name, short, prefix, seat[0], seat[1], tuple(County(*c) for c in counties))


URBAN = 0.35  # township weight of a city's core districts

GANSU_PREFECTURES = (
    _p("6201", "兰州市", "兰州", "兰州市", (36.06, 103.83), (
        ("620102", "城关区", 36.06, 103.83, URBAN), ("620103", "七里河区", 36.07, 103.79, URBAN),
        ("620104", "西固区", 36.09, 103.63, URBAN), ("620105", "安宁区", 36.10, 103.72, URBAN),
        ("620111", "红古区", 36.34, 102.86), ("620121", "永登县", 36.74, 103.26),
        ("620122", "皋兰县", 36.33, 103.95), ("620123", "榆中县", 35.84, 104.11))),
    _p("6202", "嘉峪关市", "嘉峪关", "嘉峪关市", (39.77, 98.29), (
        ("620201", "市辖区", 39.77, 98.29, 0.2, False),)),
    _p("6203", "金昌市", "金昌", "金昌市", (38.52, 102.19), (
        ("620302", "金川区", 38.52, 102.19, URBAN), ("620321", "永昌县", 38.24, 101.98))),
    _p("6204", "白银市", "白银", "白银市", (36.55, 104.17), (
        ("620402", "白银区", 36.55, 104.17, URBAN), ("620403", "平川区", 36.73, 104.83),
        ("620421", "靖远县", 36.57, 104.68), ("620422", "会宁县", 35.69, 105.05),
        ("620423", "景泰县", 37.19, 104.06))),
    _p("6205", "天水市", "天水", "天水市", (34.58, 105.72), (
        ("620502", "秦州区", 34.58, 105.72), ("620503", "麦积区", 34.57, 105.89),
        ("620521", "清水县", 34.75, 106.14), ("620522", "秦安县", 34.86, 105.67),
        ("620523", "甘谷县", 34.74, 105.33), ("620524", "武山县", 34.72, 104.89),
        ("620525", "张家川回族自治县", 34.99, 106.21))),
    _p("6206", "武威市", "武威", "武威市", (37.93, 102.64), (
        ("620602", "凉州区", 37.93, 102.64), ("620621", "民勤县", 38.62, 103.09),
        ("620622", "古浪县", 37.47, 102.90), ("620623", "天祝藏族自治县", 36.97, 103.14))),
    _p("6207", "张掖市", "张掖", "张掖市", (38.93, 100.45), (
        ("620702", "甘州区", 38.93, 100.45), ("620721", "肃南裕固族自治县", 38.84, 99.62, 0.6),
        ("620722", "民乐县", 38.43, 100.81), ("620723", "临泽县", 39.15, 100.16),
        ("620724", "高台县", 39.38, 99.82), ("620725", "山丹县", 38.78, 101.09))),
    _p("6208", "平凉市", "平凉", "平凉市", (35.54, 106.67), (
        ("620802", "崆峒区", 35.54, 106.67), ("620821", "泾川县", 35.33, 107.37),
        ("620822", "灵台县", 35.07, 107.62), ("620823", "崇信县", 35.30, 107.04),
        ("620825", "庄浪县", 35.20, 106.04), ("620826", "静宁县", 35.52, 105.73),
        ("620881", "华亭市", 35.22, 106.65))),
    _p("6209", "酒泉市", "酒泉", "酒泉市", (39.74, 98.51), (
        ("620902", "肃州区", 39.74, 98.51), ("620921", "金塔县", 39.98, 98.90),
        ("620922", "瓜州县", 40.52, 95.78), ("620923", "肃北蒙古族自治县", 39.51, 94.88, 0.3),
        ("620924", "阿克塞哈萨克族自治县", 39.63, 94.34, 0.3), ("620981", "玉门市", 40.29, 97.05),
        ("620982", "敦煌市", 40.14, 94.66))),
    _p("6210", "庆阳市", "庆阳", "庆阳市", (35.73, 107.64), (
        ("621002", "西峰区", 35.73, 107.64), ("621021", "庆城县", 36.00, 107.88),
        ("621022", "环县", 36.57, 107.31), ("621023", "华池县", 36.46, 107.99),
        ("621024", "合水县", 35.82, 108.02), ("621025", "正宁县", 35.49, 108.36),
        ("621026", "宁县", 35.50, 107.92), ("621027", "镇原县", 35.68, 107.20))),
    _p("6211", "定西市", "定西", "定西市", (35.58, 104.61), (
        ("621102", "安定区", 35.58, 104.61), ("621121", "通渭县", 35.21, 105.24),
        ("621122", "陇西县", 35.00, 104.63), ("621123", "渭源县", 35.14, 104.21),
        ("621124", "临洮县", 35.38, 103.86), ("621125", "漳县", 34.85, 104.47),
        ("621126", "岷县", 34.44, 104.04))),
    _p("6212", "陇南市", "陇南", "陇南市", (33.39, 104.93), (
        ("621202", "武都区", 33.39, 104.93), ("621221", "成县", 33.74, 105.74),
        ("621222", "文县", 32.94, 104.68), ("621223", "宕昌县", 34.05, 104.39),
        ("621224", "康县", 33.33, 105.61), ("621225", "西和县", 34.01, 105.30),
        ("621226", "礼县", 34.19, 105.18), ("621227", "徽县", 33.77, 106.09),
        ("621228", "两当县", 33.91, 106.30))),
    _p("6229", "临夏回族自治州", "临夏", "临夏州", (35.60, 103.21), (
        ("622901", "临夏市", 35.60, 103.21, URBAN), ("622921", "临夏县", 35.49, 103.00),
        ("622922", "康乐县", 35.37, 103.71), ("622923", "永靖县", 35.94, 103.32),
        ("622924", "广河县", 35.48, 103.58), ("622925", "和政县", 35.43, 103.35),
        ("622926", "东乡族自治县", 35.66, 103.39), ("622927", "积石山保安族东乡族撒拉族自治县", 35.72, 102.88))),
    _p("6230", "甘南藏族自治州", "甘南", "甘南州", (34.98, 102.91), (
        ("623001", "合作市", 34.98, 102.91, 0.5), ("623021", "临潭县", 34.69, 103.35),
        ("623022", "卓尼县", 34.59, 103.51), ("623023", "舟曲县", 33.79, 104.37),
        ("623024", "迭部县", 34.06, 103.22, 0.6), ("623025", "玛曲县", 34.00, 102.07, 0.5),
        ("623026", "碌曲县", 34.59, 102.49, 0.5), ("623027", "夏河县", 35.20, 102.52))),
)

GANSU = Province("62", "甘肃省", "甘肃省", 36.06, 103.83, GANSU_PREFECTURES)

# Regions a demo can model: the whole province, or one of its prefectures.
REGIONS: dict[str, Province | Prefecture] = {GANSU.name: GANSU} | {p.name: p for p in GANSU_PREFECTURES}


def region_capacity(region: str) -> int:
    """How many county-level divisions the region has."""
    place = REGIONS[region]
    prefectures = place.prefectures if isinstance(place, Province) else (place,)
    return sum(len(p.counties) for p in prefectures)


def select_counties(region: str, n: int) -> list[tuple[Prefecture, County]]:
    """The first `n` counties of a region; for a province, taken in turn from each prefecture."""
    place = REGIONS[region]
    prefectures = place.prefectures if isinstance(place, Province) else (place,)
    longest = max(len(p.counties) for p in prefectures)
    in_turn = [(p, p.counties[i]) for i in range(longest) for p in prefectures if i < len(p.counties)]
    if n > len(in_turn):
        raise ValueError(f"{region} has only {len(in_turn)} county-level divisions, {n} requested")
    chosen = in_turn[:n]
    order = {p.code: k for k, p in enumerate(prefectures)}
    return sorted(chosen, key=lambda pc: (order[pc[0].code], pc[1].code))
