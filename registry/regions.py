"""The administrative divisions (GB/T 2260) and registration centers the registry names.

A registration center (数据登记机构) is known by its province-level division and its digit
within it (the guide's annex 6), the first three digits of every certificate number it issues.
"""

from __future__ import annotations

from dataclasses import dataclass

# GB/T 2260 province-level divisions: every code a certificate number may carry.
PROVINCES = {
    11: ("北京市", "Beijing"),
    12: ("天津市", "Tianjin"),
    13: ("河北省", "Hebei"),
    14: ("山西省", "Shanxi"),
    15: ("内蒙古自治区", "Inner Mongolia"),
    21: ("辽宁省", "Liaoning"),
    22: ("吉林省", "Jilin"),
    23: ("黑龙江省", "Heilongjiang"),
    31: ("上海市", "Shanghai"),
    32: ("江苏省", "Jiangsu"),
    33: ("浙江省", "Zhejiang"),
    34: ("安徽省", "Anhui"),
    35: ("福建省", "Fujian"),
    36: ("江西省", "Jiangxi"),
    37: ("山东省", "Shandong"),
    41: ("河南省", "Henan"),
    42: ("湖北省", "Hubei"),
    43: ("湖南省", "Hunan"),
    44: ("广东省", "Guangdong"),
    45: ("广西壮族自治区", "Guangxi"),
    46: ("海南省", "Hainan"),
    50: ("重庆市", "Chongqing"),
    51: ("四川省", "Sichuan"),
    52: ("贵州省", "Guizhou"),
    53: ("云南省", "Yunnan"),
    54: ("西藏自治区", "Tibet"),
    61: ("陕西省", "Shaanxi"),
    62: ("甘肃省", "Gansu"),
    63: ("青海省", "Qinghai"),
    64: ("宁夏回族自治区", "Ningxia"),
    65: ("新疆维吾尔自治区", "Xinjiang"),
    71: ("台湾省", "Taiwan"),
    81: ("香港特别行政区", "Hong Kong"),
    82: ("澳门特别行政区", "Macao"),
}

# Prefecture-level regions of the seeds and the sample federation; any other is shown as a number.
_CITIES = {
    321000: ("扬州市", "Yangzhou"),
    330700: ("金华市", "Jinhua"),
    370100: ("济南市", "Jinan"),
    370200: ("青岛市", "Qingdao"),
}


@dataclass(frozen=True, order=True)
class Center:
    """A registration center: its province-level division (GB/T 2260, two digits) and its
    digit (0-9) within it."""

    province: int
    digit: int

    def __post_init__(self) -> None:
        if self.province not in PROVINCES:
            raise ValueError(f"province {self.province}: not a GB/T 2260 province-level code")
        if not 0 <= self.digit <= 9:
            raise ValueError(f"center {self.digit}: one digit, 0-9")

    @classmethod
    def of(cls, code: str) -> Center:
        """The center of a three-digit code (``370``). Raises ValueError if none has it."""
        if len(code) != 3 or not code.isascii() or not code.isdigit():
            raise ValueError(f"center code {code!r}: three digits, e.g. 370")
        return cls(int(code[:2]), int(code[2]))

    @property
    def code(self) -> str:
        """The three digits certificate numbers carry, e.g. ``370``."""
        return f"{self.province:02d}{self.digit}"

    def __str__(self) -> str:
        return self.code


# The sample federation's centers (``registry up --regions N``), by the region each serves. A
# province's own center is digit 0; the prefecture centers under it take the next digits.
CENTERS = {
    370200: Center(37, 0),
    321000: Center(32, 1),
    330700: Center(33, 1),
}


def center_of_region(region: int) -> Center:
    """The center serving ``region``: the sample federation's, else digit 0 of its province."""
    return CENTERS.get(region) or Center(region // 10_000, 0)


def region_name(code: int, lang: str = "zh") -> str:
    if code % 10_000 == 0 and code // 10_000 in PROVINCES:
        zh, en = PROVINCES[code // 10_000]
    else:
        zh, en = _CITIES.get(code, (str(code), str(code)))
    return zh if lang == "zh" else en


def center_name(center: Center, lang: str = "zh") -> str:
    """The registration center's name: by the region it serves where this registry knows it,
    else by its province and its code."""
    served = next((region for region, c in CENTERS.items() if c == center), None)
    if served is not None:
        zh, en = region_name(served), region_name(served, "en")
    else:
        zh, en = PROVINCES[center.province]
        zh, en = f"{zh}（{center.code}）", f"{en} ({center.code})"
    return f"{zh}数据登记机构" if lang == "zh" else f"{en} Data Registration Center"
