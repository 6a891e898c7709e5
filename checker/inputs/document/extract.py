"""Contract data from a document: the fields a schema annotates with `x-labels`, found in the text.

A schema says how its fields are found (docs/documents.md). `x-labels` on a field lists the
labels that introduce its value (`["合同金额", "服务费总额"]`): the value is what follows
the first label found (a colon, `为` or a bracketed role such as `甲方（委托方）：` between
them; a label written with its colon, `名称:`, needs one), read by the field's `x-type` (money, duration, date), as a number (`30%` → 30,
`万分之五` → 0.05) or as text up to the end of the phrase (or to a word of `x-until`).
`x-clause` lists words of the clause heading the value is under (`["保密"]`). An object
with `x-labels` and `x-value` puts the value into that field (a rate's `value`). An array
with `x-labels` has one item per line that starts with one of them (`甲方：`, `乙方：`),
its fields searched in that item's lines; `x-item-label` names the item field that gets
the label itself; `x-item-anywhere` lets a label start an item anywhere in a line (an
instalment's `支付…总额的`), `x-item-skip` words leave lines out (`盖章`). Every value
keeps the line (or .docx paragraph) it was found on; `x-match` is a pattern the value must
match (an arbitration body's `仲裁委员会`), a placeholder (`[大写金额]`) is no value.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from checker.inputs.document.analysis.blanks import _BLANK
from checker.inputs.document.analysis.context import CN_NUM
from checker.inputs.document.analysis.labels import FIELD, PARTY, VALUE_STOP
from checker.inputs.document.analysis.quantities import _AMOUNT, _DATE, _DURATION, _PERCENT, _money
from checker.inputs.document.model import LoadedDocument
from checker.inputs.document.normalize import normalize
from checker.lang.textparse import blank_text, parse_chinese_number, parse_date, parse_duration
from checker.lang.values import normalize_number

from ...fastclass import dataclass

MAX_ITEM_LINES: Final = 12  # lines an array item (a party block) spans at most, up to a blank
_STOP: Final = re.compile(r"[,;。，；)\n]| {2}")
_NUMBER: Final = re.compile(rf"[0-9]+(?:\.[0-9]+)?|[{CN_NUM}点]+")


@dataclass(frozen=True)
class Found:
    """A value read from the document and the line (or paragraph) it is on."""

    value: Any
    line: int


Extracted = dict[str, Any]  # field → Found | None | Extracted | list[Extracted]


class _Schema:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root

    def resolve(self, node: Any) -> Mapping[str, Any]:
        """The node with its local `$ref`s followed, their siblings kept over the target."""
        seen = 0
        out: dict[str, Any] = {}
        while isinstance(node, Mapping) and seen < 32:
            out = {**node, **out}
            ref = node.get("$ref")
            if not isinstance(ref, str) or not ref.startswith("#/"):
                break
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, Mapping) else {}
            node = target
            seen += 1
        out.pop("$ref", None)
        return out

    def annotated(self, node: Any) -> bool:
        """Whether the node or anything under it carries `x-labels`."""
        n = self.resolve(node)
        if "x-labels" in n:
            return True
        props = n.get("properties")
        if isinstance(props, Mapping) and any(self.annotated(v) for v in props.values()):
            return True
        return "items" in n and self.annotated(n["items"])


def _kind(node: Mapping[str, Any]) -> str:
    x_type = node.get("x-type")
    if isinstance(x_type, str):
        return x_type
    if node.get("format") == "date":
        return "date"
    types = node.get("type")
    types = types if isinstance(types, list) else [types]
    if "number" in types or "integer" in types:
        return "number"
    if "object" in types:
        return "object"
    if "array" in types:
        return "array"
    return "string"


def _read(kind: str, rest: str, until: list[str]) -> Any:
    """The value of a field of this kind at the start of `rest` (what follows its label)."""
    if kind == "money":
        amounts = (_money(m) for m in _AMOUNT.finditer(rest[:40]))
        return next((a for a in amounts if a is not None), None)
    if kind in ("duration", "date"):
        found = (_DURATION if kind == "duration" else _DATE).search(rest[:20])
        if found is None:
            return None
        try:
            if kind == "duration":
                parse_duration(found[0])
                return found[0]  # as written (十二个月): the schema reads it
            return parse_date(found[0])
        except ValueError:
            return None
    if kind == "number":
        return _number(rest[:20])
    if VALUE_STOP.match(rest):
        return None  # the next label follows at once: nothing filled in
    stop = _STOP.search(rest)
    text = rest[: stop.start() if stop else len(rest)]
    for label in (FIELD.search(text), PARTY.search(text)):
        if label is not None and label.start() > 0:
            text = text[: label.start()]  # the next form label ends the value
    for word in until:
        cut = text.find(word)
        if cut > 0:
            text = text[:cut]
    text = text.strip(" :")
    if not text or blank_text(text) or _BLANK.search(text):
        return None  # a placeholder, or a value still holding one (`20XX`), is no value
    return text


def _number(text: str) -> Any:
    pct = _PERCENT.match(text.lstrip())
    if pct is not None:  # 30% → 30; 万分之五 → 0.05 (a percentage)
        raw = pct["num"] or pct["pct"] or pct["frac"]
        try:
            n = parse_chinese_number(raw)
        except ValueError:
            return None
        if pct["scale"] is not None:
            n = normalize_number(Decimal(n) / (10 if pct["scale"] == "千分之" else 100))
        return n
    plain = _NUMBER.match(text.lstrip())
    try:
        return parse_chinese_number(plain[0]) if plain else None
    except ValueError:
        return None


class _Extractor:
    def __init__(self, doc: LoadedDocument, schema: Mapping[str, Any]) -> None:
        self.schema = _Schema(schema)
        first = _body_start(doc)
        self.lines = [(n, normalize(t).text) for n, t in enumerate(doc.lines, 1) if n >= first]
        self.spans = _clause_spans(doc)

    def scope(self, lines: list[tuple[int, str]], words: Any) -> list[tuple[int, str]]:
        """The lines under a clause whose heading has one of `words` (all when none)."""
        if not isinstance(words, list) or not words:
            return lines
        keep = {
            n
            for heading, start, end in self.spans
            if any(w in heading for w in words)
            for n in range(start, end)
        }
        return [(n, t) for n, t in lines if n in keep]

    def find(self, node: Mapping[str, Any], lines: list[tuple[int, str]]) -> Found | None:
        labels = [str(x) for x in node.get("x-labels", [])]
        until = [str(x) for x in node.get("x-until", [])]
        wanted = node.get("x-match")  # words the value must hold (`仲裁委员会`)
        kind = _kind(node)
        for n, text in self.scope(lines, node.get("x-clause")):
            for label in labels:
                for m in re.finditer(_label_pattern(label), text):
                    if text[max(0, m.start() - 1) : m.start()] in ("[", "【"):
                        continue  # a label inside a placeholder: `[大写金额]`
                    value = _read(kind, text[m.end() :], until)
                    if value is None or (
                        isinstance(wanted, str) and not re.search(wanted, str(value))
                    ):
                        continue
                    return Found(value, n)
        return None

    def walk(self, node: Any, lines: list[tuple[int, str]]) -> Any:
        n = self.schema.resolve(node)
        kind = _kind(n)
        props = n.get("properties")
        if kind == "array" or "items" in n:
            return self.items(n, lines)
        value_key = n.get("x-value")
        if isinstance(props, Mapping) and isinstance(value_key, str) and "x-labels" in n:
            # An object whose one field holds the value found (a rate's `value`).
            sub = {**self.schema.resolve(props.get(value_key, {})), "x-labels": n["x-labels"]}
            sub.update({k: n[k] for k in ("x-clause", "x-until") if k in n})
            return {value_key: self.find(sub, lines)}
        if isinstance(props, Mapping) and (kind == "object" or "x-labels" not in n):
            lines = self.scope(lines, n.get("x-clause"))
            return {
                key: self.walk(sub, lines)
                for key, sub in props.items()
                if self.schema.annotated(sub)
            }
        return self.find(n, lines)

    def items(self, node: Mapping[str, Any], lines: list[tuple[int, str]]) -> list[Extracted]:
        labels = [str(x) for x in node.get("x-labels", [])]
        lines = self.scope(lines, node.get("x-clause"))
        # An item starts where a label starts a line (after a clause number: `4.2 `), or
        # anywhere in it with `x-item-anywhere`; `x-item-skip` words leave a line out
        # (a signature block repeating a party: `甲方（盖章）`).
        anywhere = bool(node.get("x-item-anywhere"))
        skip = [str(x) for x in node.get("x-item-skip", [])]
        starts: list[tuple[int, str]] = []
        for i, (_, text) in enumerate(lines):
            label = next((x for x in labels if _starts_item(x, text, anywhere)), None)
            if label is not None and not any(w in text for w in skip):
                starts.append((i, label))
        out: list[Extracted] = []
        item_label = node.get("x-item-label")
        for k, (i, label) in enumerate(starts):
            end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
            block = lines[i : min(end, i + MAX_ITEM_LINES)]
            blank = next((j for j, (_, t) in enumerate(block) if j and not t.strip()), None)
            block = block[:blank]  # a blank line ends the block
            item = self.walk(node.get("items", {}), block)
            if not isinstance(item, dict):
                continue
            if isinstance(item_label, str):
                item = {item_label: Found(label, block[0][0]), **item}
            out.append(item)
        return out


def _label_pattern(label: str) -> str:
    """A label and what may stand between it and its value: a bracketed role (`甲方（委托方）`)
    and a colon, `为` or `是`; a label written with its colon (`名称:`) needs the colon."""
    if label.endswith((":", "：")):
        return rf"{re.escape(label[:-1])}\s?(?:\([^()]{{0,12}}\))?\s?:\s?"
    return rf"{re.escape(label)}(?:\([^()]{{0,12}}\))?\s?[:为是]?\s?"


def _starts_item(label: str, text: str, anywhere: bool) -> bool:
    """Whether a line starts an array item: the label anywhere in it, or as a form label
    leading it (`甲方：`, `乙方（受托方）：`)."""
    if anywhere:
        return label in text
    return re.match(rf"\s*{re.escape(label)}\s?(?:\([^()]{{0,12}}\))?\s?:", text) is not None


def _body_start(doc: LoadedDocument) -> int:
    """The first line of the body: after a Markdown front matter block."""
    if doc.format == "md" and doc.front_matter is not None:
        for n, line in enumerate(doc.lines[1:], start=2):
            if line.strip() in ("---", "..."):
                return n + 1
    return 1


def _clause_spans(doc: LoadedDocument) -> list[tuple[str, int, int]]:
    """(heading, first line, line after the last) of every clause, sub-clauses included."""
    clauses = (doc.document or {}).get("clauses", [])
    starts = [doc.positions[("document", "clauses", k)].line for k in range(len(clauses))]
    spans = []
    for k, c in enumerate(clauses):
        end = len(doc.lines) + 1
        for j in range(k + 1, len(clauses)):
            if clauses[j]["level"] <= c["level"]:
                end = starts[j]
                break
        spans.append((str(c["heading"]), starts[k], max(end, starts[k] + 1)))
    return spans


def extract(doc: LoadedDocument, schema: Mapping[str, Any]) -> Extracted:
    """The schema's annotated fields filled from the document (None where not found)."""
    ex = _Extractor(doc, schema)
    out = ex.walk(schema, ex.lines)
    return out if isinstance(out, dict) else {}


def _scalar(value: Any) -> str:
    """A value as YAML reads it back: text double-quoted (JSON strings are YAML), dates bare."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_yaml(data: Extracted, paragraphs: bool = False) -> str:
    """The extracted fields as YAML, each value with a comment saying where it was found
    (`# line N`, or `# ¶N` for a .docx paragraph) and `null  # not found` for the others."""
    out: list[str] = []

    def where(found: Found) -> str:
        return f"# ¶{found.line}" if paragraphs else f"# line {found.line}"

    def emit(fields: Extracted, indent: int, lead: str | None = None) -> None:
        for i, (key, value) in enumerate(fields.items()):
            pad = lead if i == 0 and lead is not None else " " * indent
            if value is None:
                out.append(f"{pad}{key}: null  # not found")
            elif isinstance(value, Found):
                out.append(f"{pad}{key}: {_scalar(value.value)}  {where(value)}")
            elif isinstance(value, dict):
                out.append(f"{pad}{key}:")
                emit(value, indent + 2)
            elif not value:
                out.append(f"{pad}{key}: []  # not found")
            else:
                out.append(f"{pad}{key}:")
                for item in value:
                    emit(item, indent + 4, " " * (indent + 2) + "- ")

    emit(data, 0)
    return "\n".join(out) + "\n"
