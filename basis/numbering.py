"""Chinese numbering of provisions: 第十二条第二款第（三）项, and parsing it back."""

import re

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 105 → 一百零五, 1200 → 一千二百 (up to 9999)."""
    if n <= 0:
        raise ValueError(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    parts = []
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    zero_pending = False
    for value, unit in units:
        digit = n // value % 10
        if digit:
            if zero_pending:
                parts.append("零")
                zero_pending = False
            parts.append(_DIGITS[digit] + unit)
        elif parts:
            zero_pending = True
    return "".join(parts)


def parse_chinese_number(text: str) -> int:
    text = text.strip()
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _DIGITS:
            current = _DIGITS.index(char)
        elif char in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[char]
            total += (current or 1) * unit
            current = 0
        else:
            raise ValueError(text)
    return total + current


def provision_label(article: int, paragraph: int | None = None, item: int | None = None) -> str:
    label = f"第{chinese_number(article)}条"
    if paragraph:
        label += f"第{chinese_number(paragraph)}款"
    if item:
        label += f"第（{chinese_number(item)}）项"
    return label


_PROVISION = re.compile(
    r"第\s*([零一二三四五六七八九十百千\d]+)\s*条"
    r"(?:\s*第\s*([零一二三四五六七八九十百千\d]+)\s*款)?"
    r"(?:\s*第\s*[（(]?\s*([零一二三四五六七八九十百千\d]+)\s*[）)]?\s*项)?"
)


def parse_provisions(text: str) -> list[tuple[int, int | None, int | None]]:
    """All provision references in ``text``: "第十条、第十二条第二款" → [(10,None,None),(12,2,None)].
    Raises ValueError if ``text`` has content that is not a provision reference."""
    found = []
    rest = _PROVISION.sub("", text)
    if re.sub(r"[\s、，,；;和及与]", "", rest):
        raise ValueError(text)
    for match in _PROVISION.finditer(text):
        article, paragraph, item = match.groups()
        found.append(
            (
                parse_chinese_number(article),
                parse_chinese_number(paragraph) if paragraph else None,
                parse_chinese_number(item) if item else None,
            )
        )
    return found
