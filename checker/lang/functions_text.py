"""Built-in functions over text: presence tests, strings, placeholders and Chinese drafting checks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Final, Literal

from . import cnupper, ops, textparse
from . import types as T
from .registry import (
    Checker,
    EvalContext,
    _expect,
    _fixed,
    _register,
)
from .types import Type
from .values import (
    EvalError,
    Missing,
    Money,
    Number,
    describe,
    display,
    type_name,
)

# -- presence -----------------------------------------------------------------------------


@_register(
    "missing",
    (1, 1),
    "missing(reason: string) -> missing",
    "A missing value on purpose, with the reason a finding will show: for a branch that "
    'cannot be decided (`else missing("the rate has no unit")`).',
    lambda args, chk: T.ANY,
)
def f_missing(reason: Any) -> Missing:
    return Missing(reasons=[reason if isinstance(reason, str) else display(reason)])


@_register(
    "exists",
    (1, 1),
    "exists(any) -> bool",
    "False when the value is missing; true otherwise (also for null).",
    lambda args, chk: T.BOOL,
    lenient=True,
)
def f_exists(x: Any) -> bool:
    return not isinstance(x, Missing)


@_register(
    "blank",
    (1, 1),
    "blank(any) -> bool",
    "True for missing, null, an empty or whitespace-only string, an empty list or map, "
    "or a string that holds only a template placeholder.",
    lambda args, chk: T.BOOL,
    lenient=True,
)
def f_blank(x: Any) -> bool:
    if x is None or isinstance(x, Missing):
        return True
    if isinstance(x, str):
        return textparse.blank_text(x)
    if isinstance(x, list | Mapping):
        return len(x) == 0
    return False


# -- strings ------------------------------------------------------------------------------


def _str_arg(x: Any, fname: str, pos: str = "") -> str:
    if not isinstance(x, str):
        raise EvalError(f"{fname}() needs a string{pos}, found {describe(x)}")
    return x


_S = (("string",), "a string")


@_register("lower", (1, 1), "lower(string) -> string", "Lower-case.", _fixed([_S], T.STRING))
def f_lower(s: Any) -> str:
    return _str_arg(s, "lower").lower()


@_register("upper", (1, 1), "upper(string) -> string", "Upper-case.", _fixed([_S], T.STRING))
def f_upper(s: Any) -> str:
    return _str_arg(s, "upper").upper()


@_register(
    "trim",
    (1, 1),
    "trim(string) -> string",
    "Without leading and trailing white space (also full-width spaces).",
    _fixed([_S], T.STRING),
)
def f_trim(s: Any) -> str:
    return _str_arg(s, "trim").strip()


@_register(
    "normalize_text",
    (1, 1),
    "normalize_text(string) -> string",
    "The text in Unicode NFKC form without any white space: full-width brackets, letters and "
    "digits become half-width, so names written （苏州） and (苏州) compare equal.",
    _fixed([_S], T.STRING),
)
def f_normalize_text(s: Any) -> str:
    return "".join(unicodedata.normalize("NFKC", _str_arg(s, "normalize_text")).split())


def _contains_rule(args: list[Type], chk: Checker) -> Type:
    _expect(args[0], ("string", "list"), chk, 0, "a string or a list")
    if args[0].kind == "string":
        _expect(args[1], ("string",), chk, 1, "a string")
    elif args[0].kind == "list":
        # As for `x in xs`: an item of another type can never be found.
        elem = T.strip_null(args[0].elem or T.ANY)
        if not T.same_kind(elem, args[1]):
            chk.error(1, f"expected an item of the list's type ({elem}), found {args[1]}")
    return T.BOOL


@_register(
    "contains",
    (2, 2),
    "contains(string | list, x) -> bool",
    "Substring of a string, or item of a list.",
    _contains_rule,
)
def f_contains(s: Any, x: Any) -> Any:
    if isinstance(s, str):
        return x in s if isinstance(x, str) else _type_err("contains", "a string", x, 2)
    if isinstance(s, list):
        return ops.member(x, s)
    raise EvalError(f"contains() needs a string or a list, found {type_name(s)}")


def _type_err(fname: str, what: str, x: Any, pos: int) -> Any:
    raise EvalError(f"{fname}() needs {what} as argument {pos}, found {describe(x)}")


@_register(
    "starts_with",
    (2, 2),
    "starts_with(string, prefix) -> bool",
    "Prefix test.",
    _fixed([_S, _S], T.BOOL),
)
def f_starts_with(s: Any, p: Any) -> bool:
    return _str_arg(s, "starts_with").startswith(_str_arg(p, "starts_with", " prefix"))


@_register(
    "ends_with",
    (2, 2),
    "ends_with(string, suffix) -> bool",
    "Suffix test.",
    _fixed([_S, _S], T.BOOL),
)
def f_ends_with(s: Any, p: Any) -> bool:
    return _str_arg(s, "ends_with").endswith(_str_arg(p, "ends_with", " suffix"))


@_register(
    "matches",
    (2, 2),
    "matches(string, pattern) -> bool",
    "Regular-expression search (RE2 syntax, linear time).",
    _fixed([_S, _S], T.BOOL),
)
def f_matches(s: Any, p: Any) -> Any:
    return ops.matches(s, p)


@_register(
    "replace",
    (3, 3),
    "replace(string, pattern, replacement) -> string",
    "Every match of the pattern (RE2 syntax, as `matches`) replaced by the replacement, "
    "which is taken literally (no group references).",
    _fixed([_S, _S, _S], T.STRING),
)
def f_replace(s: Any, p: Any, r: Any) -> Any:
    text = _str_arg(s, "replace")
    pattern = _str_arg(p, "replace", " pattern")
    replacement = _str_arg(r, "replace", " replacement")
    try:
        compiled = ops.compile_pattern(pattern)
    except ValueError as exc:
        raise EvalError(f"invalid pattern {display(pattern)}: {exc}") from None
    if len(text) > ops.MAX_MATCH_INPUT:
        raise EvalError(
            f"replace() needs a text of at most {ops.MAX_MATCH_INPUT:,} characters, "
            f"found {len(text):,}"
        )
    return compiled.sub(lambda _: replacement, text)


_PLACEHOLDER_T: Final = T.list_of(
    Type("record", fields=(("text", T.STRING), ("path", T.STRING)), closed=True)
)


@_register(
    "placeholders",
    (1, 1),
    "placeholders(any) -> list of {text, path}",
    "Every unfilled template token in every string under the value, with its path.",
    lambda args, chk: _PLACEHOLDER_T,
    lenient=True,
    needs_context=True,
)
def f_placeholders(ctx: EvalContext, x: Any) -> Any:
    if isinstance(x, Missing):
        return x
    base = ctx.arg_paths[0] if ctx.arg_paths else None
    return textparse.find_placeholders(x, base or "", ctx.placeholder_patterns)


# -- Chinese drafting ---------------------------------------------------------------------


def _cny_amount(x: Any, fname: str) -> Number:
    if isinstance(x, Money):
        if x.currency != "CNY":
            raise EvalError(f"{fname}() needs CNY money, found {display(x)}")
        return x.amount
    if ops.is_number(x):
        return x  # type: ignore[no-any-return]
    raise EvalError(f"{fname}() needs a number or CNY money, found {describe(x)}")


_NUM_OR_MONEY = (("number", "money"), "a number or CNY money")


@_register(
    "cny_upper",
    (1, 2),
    'cny_upper(number | money, zheng_after_jiao = "optional") -> string',
    "The canonical Chinese uppercase form of an amount: 100000 → 壹拾万元整. With "
    '"required", an amount ending at 角 ends in 整 too (会计基础工作规范 Art. 52).',
    _fixed([_NUM_OR_MONEY, _S], T.STRING),
)
def f_cny_upper(x: Any, zheng_after_jiao: Any = "optional") -> Any:
    amount = _cny_amount(x, "cny_upper")
    try:
        return cnupper.to_upper(amount, zheng_after_jiao=_zheng(zheng_after_jiao, "cny_upper"))
    except ValueError as exc:
        return Missing(reasons=[f"cny_upper({display(x)}): {exc}"])


@_register(
    "cny_upper_matches",
    (2, 2),
    "cny_upper_matches(string, number | money) -> bool",
    "True when the uppercase text writes the same amount (人民币, spaces, 整/正 tolerated).",
    _fixed([_S, _NUM_OR_MONEY], T.BOOL),
)
def f_cny_upper_matches(text: Any, x: Any) -> bool:
    return cnupper.upper_matches(
        _str_arg(text, "cny_upper_matches"), _cny_amount(x, "cny_upper_matches")
    )


@_register(
    "parse_cny_upper",
    (1, 1),
    "parse_cny_upper(string) -> number",
    "The amount an uppercase text writes; missing when it is not a valid uppercase amount.",
    _fixed([_S], T.NUMBER),
)
def f_parse_cny_upper(text: Any) -> Any:
    value = cnupper.parse_upper(_str_arg(text, "parse_cny_upper"))
    if value is None:
        return Missing(reasons=[f"{display(text)} is not a valid uppercase amount"])
    return value


@_register(
    "cny_upper_issues",
    (1, 2),
    'cny_upper_issues(string, zheng_after_jiao = "optional") -> list of string',
    "Problems with how an uppercase amount is written (malformed, ambiguous, missing-zero, "
    "missing-zheng, zheng-after-fen, ...); empty for the canonical form and accepted variants. "
    'With "required", a missing 整 after 角 is an issue too (PBOC makes it optional).',
    _fixed([_S, _S], T.list_of(T.STRING)),
)
def f_cny_upper_issues(text: Any, zheng_after_jiao: Any = "optional") -> list[str]:
    setting = _zheng(zheng_after_jiao, "cny_upper_issues")
    return [
        i.code
        for i in cnupper.upper_issues(_str_arg(text, "cny_upper_issues"), zheng_after_jiao=setting)
    ]


def _zheng(value: Any, fname: str) -> Literal["optional", "required"]:
    if value == "optional":
        return "optional"
    if value == "required":
        return "required"
    raise EvalError(
        f'{fname}() takes "optional" or "required" for 整 after 角, found {describe(value)}'
    )


# What may surround a number written in words: 百分之 before it, a unit after it.
_CN_NUMBER: Final = re.compile(
    r"^\s*(?:百分之|千分之|万分之)?(?P<n>[^\s%％‰]+?)\s*"
    r"(?:%|％|‰|个工作日|工作日|个自然日|自然日|个月|个|年|月|周|日|天|小时|次|期|倍|人|元)?\s*$"
)


@_register(
    "cn_number",
    (1, 1),
    "cn_number(string) -> number",
    "The number a text writes in Chinese words: 百分之三十 → 30, 叁年 → 3, 十五个工作日 → 15, "
    "千分之五 → 5, 万分之五 → 5 (the count, not the fraction); missing when the text is not "
    "such a number.",
    _fixed([_S], T.NUMBER),
)
def f_cn_number(text: Any) -> Any:
    s = _str_arg(text, "cn_number")
    m = _CN_NUMBER.match(s)
    if m is not None:
        try:
            return textparse.parse_chinese_number(m.group("n"))
        except ValueError:
            pass
    return Missing(reasons=[f"{display(s)} is not a number written in Chinese words"])


_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@_register(
    "uscc_valid",
    (1, 1),
    "uscc_valid(string) -> bool",
    "True when the text is a well-formed unified social credit code (统一社会信用代码, "
    "GB 32100-2015): 18 characters of the code's alphabet with a correct check character.",
    _fixed([_S], T.BOOL),
)
def f_uscc_valid(code: Any) -> bool:
    text = _str_arg(code, "uscc_valid").strip().upper()
    if len(text) != 18 or any(c not in _USCC_ALPHABET for c in text):
        return False
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(text, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[(31 - total % 31) % 31] == text[17]
