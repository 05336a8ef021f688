"""Errors of a form in Chinese and English, each naming its field by its path and by the labels
the form gives it (each field's ``title`` in the models is its Chinese label, once)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

# Chinese for pydantic's own error types; a form's own rules carry theirs (``refusal``).
_ZH = {
    "missing": "必须填写",
    "extra_forbidden": "表单中没有此项",
    "string_too_long": "最多 {max_length} 个字符",
    "string_too_short": "至少 {min_length} 个字符",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "literal_error": "应为以下之一：{expected}",
    "string_pattern_mismatch": "格式不符",
    "string_type": "应为文本",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "greater_than_equal": "不得小于 {ge}",
    "less_than_equal": "不得大于 {le}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为列表",
    "bool_type": "应为是或否",
    "value_error": "填写有误",
}


def refusal(kind: str, zh: str, en: str) -> PydanticCustomError:
    """A form rule's error with its Chinese and English message (raise it in a validator)."""
    return PydanticCustomError(kind, en, {"zh": zh})


def _labels(model: type[BaseModel], loc: tuple[int | str, ...]) -> str:
    """The Chinese labels along ``loc``: each field's title, a list item's number from 1."""
    parts: list[str] = []
    current: Any = model
    for step in loc:
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{step + 1}]"]
            continue
        fields = getattr(current, "model_fields", {})
        info = fields.get(step)
        if info is None:
            parts.append(str(step))
            current = None
            continue
        parts.append(info.title or str(step))
        current = _model_of(info.annotation)
    return "·".join(parts)


def _model_of(annotation: Any) -> Any:
    """The model a field holds (itself, in a list, or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def form_errors(
    model: type[BaseModel], exc: ValidationError, prefix: str = ""
) -> list[dict[str, str]]:
    """Every error of ``exc`` (validating ``model``) as ``{field, label, zh, en}``: the path
    (dotted, list items from 0), the Chinese labels, and the message in both languages."""
    found = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        template = ctx.get("zh") or _ZH.get(error["type"], _ZH["value_error"])
        try:
            zh = template.format(**{k: v for k, v in ctx.items() if k != "zh"})
        except (KeyError, IndexError):
            zh = template
        en = error["msg"].removeprefix("Value error, ")
        found.append(field_error(model, loc, zh, en, prefix))
    return found


def field_error(
    model: type[BaseModel], loc: tuple[int | str, ...], zh: str, en: str, prefix: str = ""
) -> dict[str, str]:
    """One refusal of the field at ``loc`` of ``model`` as ``{field, label, zh, en}``."""
    path = ".".join(str(p) for p in loc)
    return {
        "field": prefix + path if path else prefix.rstrip(".") or "body",
        "label": _labels(model, loc),
        "zh": zh,
        "en": en,
    }
