"""Names of the administrative divisions (GB/T 2260) the registry's regions use."""

from __future__ import annotations

# The regions of the seeds and the sample federation; any other code is shown as a number.
_NAMES = {
    310000: ("上海市", "Shanghai"),
    320000: ("江苏省", "Jiangsu"),
    321000: ("扬州市", "Yangzhou"),
    330000: ("浙江省", "Zhejiang"),
    330700: ("金华市", "Jinhua"),
    370000: ("山东省", "Shandong"),
    370100: ("济南市", "Jinan"),
    370200: ("青岛市", "Qingdao"),
}


def region_name(code: int, lang: str = "zh") -> str:
    zh, en = _NAMES.get(code, (str(code), str(code)))
    return zh if lang == "zh" else en


def center_name(code: int, lang: str = "zh") -> str:
    """The registration center (数据登记机构) of a region."""
    if lang == "zh":
        return f"{region_name(code)}数据登记机构"
    return f"{region_name(code, 'en')} Data Registration Center"
