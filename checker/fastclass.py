"""Dataclasses that are quick to define: `dataclasses.dataclass`'s classes, methods made of
closures instead of compiled source.

Python 3.11's `dataclass` writes each method (`__init__`, `__repr__`, `__eq__`, `__hash__`,
a frozen class's `__setattr__` and `__delattr__`) as source text and compiles it: about
0.7 ms per class. The checker defines some eighty of them, so a one-file `check` spent a
quarter of its start-up (50 ms) compiling them before reading any contract. This decorator
makes the same classes from prebuilt functions in a few microseconds: the same fields
(`dataclasses.fields`, `replace` and `asdict` work on them), the same constructor,
comparison, hashing, repr, immutability and slots, for the options the checker uses;
anything else is refused loudly. tests/test_fastclass.py compares it with `dataclasses`.
"""

from __future__ import annotations

import abc
import dataclasses
import inspect
import itertools
import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, field
from typing import Any, TypeVar, dataclass_transform, overload

__all__ = ["dataclass", "field"]

_T = TypeVar("_T")
_NO_DEFAULT = object()  # a field the caller must give


@overload
def dataclass(cls: type[_T], /) -> type[_T]: ...


@overload
def dataclass(
    *,
    repr: bool = True,
    eq: bool = True,
    frozen: bool = False,
    slots: bool = False,
    kw_only: bool = False,
) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field, Field))
def dataclass(
    cls: type[_T] | None = None,
    /,
    *,
    repr: bool = True,
    eq: bool = True,
    frozen: bool = False,
    slots: bool = False,
    kw_only: bool = False,
) -> type[_T] | Callable[[type[_T]], type[_T]]:
    """`dataclasses.dataclass` with these options (init, match_args and no ordering)."""

    def wrap(klass: type[_T]) -> type[_T]:
        return _process(klass, repr, eq, frozen, slots, kw_only)

    return wrap if cls is None else wrap(cls)


def _is_classvar(annotation: object) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__qualname__", "")
    if not isinstance(text, str):
        return False
    head = text.split("[", 1)[0].strip()
    if head.rsplit(".", 1)[-1] in ("InitVar", "KW_ONLY"):
        raise TypeError(f"fastclass does not support {head}")
    return head.rsplit(".", 1)[-1] == "ClassVar"


def _own_fields(cls: type, kw_only: bool) -> list[Field[Any]]:
    out = []
    for name, annotation in inspect.get_annotations(cls).items():
        if _is_classvar(annotation):
            continue
        default = cls.__dict__.get(name, MISSING)
        f: Field[Any] = default if isinstance(default, Field) else field(default=default)
        if f.default is not MISSING and type(f.default).__hash__ is None:  # dataclasses' test
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        f.name = name
        f.type = annotation
        f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # what fields() lists
        if f.kw_only is MISSING:
            f.kw_only = kw_only
        out.append(f)
        # As dataclasses does: a plain default stays a class attribute, a Field does not.
        if isinstance(default, Field):
            if f.default is MISSING:
                delattr(cls, name)
            else:
                setattr(cls, name, f.default)
    return out


def _process(cls: type[_T], repr_: bool, eq: bool, frozen: bool, slots: bool, kw: bool) -> type[_T]:
    fields: dict[str, Field[Any]] = {}
    for base in cls.__mro__[-1:0:-1]:
        for f in getattr(base, "__dataclass_fields__", {}).values():
            fields[f.name] = f
    for f in _own_fields(cls, kw):
        fields[f.name] = f
    required = False  # as dataclasses: a positional field without default after one with
    for f in fields.values():
        if f.init and not f.kw_only:
            if f.default is MISSING and f.default_factory is MISSING:
                if required:
                    raise TypeError(f"non-default argument {f.name!r} follows default argument")
            else:
                required = True
    own = dict(cls.__dict__)  # what the class defines itself is never replaced
    if slots:
        cls = _with_slots(cls, fields)
    cls.__dataclass_fields__ = fields  # type: ignore[attr-defined]
    flds = list(fields.values())
    _add(cls, own, "__init__", _init(cls, flds, frozen))
    if repr_:
        _add(cls, own, "__repr__", _repr(flds))
    if eq:
        _add(cls, own, "__eq__", _eq(tuple(f.name for f in flds if f.compare)))
    explicit_hash = own.get("__hash__", MISSING)
    has_hash = not (explicit_hash is MISSING or (explicit_hash is None and "__eq__" in own))
    if eq and not has_hash:
        if frozen:
            names = tuple(f.name for f in flds if (f.compare if f.hash is None else f.hash))
            cls.__hash__ = _hash(names)  # type: ignore[assignment]
        else:
            cls.__hash__ = None  # type: ignore[assignment]
    if frozen:
        frozen_names = frozenset(fields)
        for name, method in (
            ("__setattr__", _setattr(cls, frozen_names)),
            ("__delattr__", _delattr(cls, frozen_names)),
        ):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
            _add(cls, own, name, method)
    if "__match_args__" not in own:
        match_args = tuple(f.name for f in flds if f.init and not f.kw_only)
        setattr(cls, "__match_args__", match_args)  # noqa: B010 - mypy: a class attribute
    if slots and frozen:
        ordered = tuple(fields)
        _add(cls, own, "__getstate__", _getstate(ordered))
        _add(cls, own, "__setstate__", _setstate(ordered))
    abc.update_abstractmethods(cls)
    return cls


def _add(cls: type, own: dict[str, Any], name: str, value: Any) -> None:
    if name in own:
        return
    if callable(value):
        value.__qualname__ = f"{cls.__qualname__}.{name}"
        value.__name__ = name
    setattr(cls, name, value)


def _with_slots(cls: type[_T], fields: dict[str, Field[Any]]) -> type[_T]:
    """The class again with `__slots__` for its fields (as dataclasses' slots=True)."""
    namespace = dict(cls.__dict__)
    inherited = set(
        itertools.chain.from_iterable(
            [s] if isinstance(s := base.__dict__.get("__slots__", ()), str) else s
            for base in cls.__mro__[1:-1]
        )
    )
    namespace["__slots__"] = tuple(n for n in fields if n not in inherited)
    for name in fields:
        namespace.pop(name, None)  # a class attribute would clash with its slot
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    qualname = cls.__qualname__
    meta: Any = type(cls)
    new: type[_T] = meta(cls.__name__, cls.__bases__, namespace)
    new.__qualname__ = qualname
    return new


def _init(cls: type, flds: list[Field[Any]], frozen: bool) -> Callable[..., None]:
    positional = [f.name for f in flds if f.init and not f.kw_only]
    npos = len(positional)
    accepted = frozenset(f.name for f in flds if f.init)
    # (name, default, factory) in field order; a field without __init__ parameter is never
    # among the arguments (they are checked against `accepted`), so it takes its default.
    plan = tuple(
        (
            f.name,
            f.default if f.default is not MISSING else _NO_DEFAULT,
            f.default_factory if f.default_factory is not MISSING else None,
        )
        for f in flds
    )
    setter = object.__setattr__ if frozen else setattr
    post_init = getattr(cls, "__post_init__", None)
    name = cls.__qualname__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) > npos:
                raise TypeError(
                    f"{name}.__init__() takes {npos + 1} positional arguments "
                    f"but {len(args) + 1} were given"
                )
            given = dict(zip(positional, args, strict=False))
            if kwargs:
                for key in positional[: len(args)]:
                    if key in kwargs:
                        raise TypeError(
                            f"{name}.__init__() got multiple values for argument {key!r}"
                        )
                given.update(kwargs)
        else:
            given = kwargs
        if kwargs and not accepted.issuperset(kwargs):
            key = next(k for k in kwargs if k not in accepted)
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument {key!r}")
        get = given.get
        for fname, default, factory in plan:
            value = get(fname, _NO_DEFAULT)
            if value is _NO_DEFAULT:
                if factory is not None:
                    value = factory()
                elif default is not _NO_DEFAULT:
                    value = default
                elif fname in accepted:
                    _missing(name, plan, given, accepted)
                else:
                    continue  # left out of __init__, without a default: unset, as dataclasses
            setter(self, fname, value)
        if post_init is not None:
            post_init(self)

    return __init__


def _missing(
    name: str,
    plan: tuple[tuple[str, Any, Any], ...],
    given: dict[str, Any],
    accepted: frozenset[str],
) -> None:
    missing = [
        f
        for f, default, factory in plan
        if f in accepted and f not in given and default is _NO_DEFAULT and factory is None
    ]
    listed = ", ".join(repr(m) for m in missing)
    raise TypeError(
        f"{name}.__init__() missing {len(missing)} required argument"
        f"{'s' if len(missing) > 1 else ''}: {listed}"
    )


def _repr(flds: list[Field[Any]]) -> Callable[[Any], str]:
    names = tuple(f.name for f in flds if f.repr)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in names)
        return f"{self.__class__.__qualname__}({inner})"

    return __repr__


def _eq(names: tuple[str, ...]) -> Callable[[Any, Any], Any]:
    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)
        return NotImplemented

    return __eq__


def _hash(names: tuple[str, ...]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(tuple(getattr(self, n) for n in names))

    return __hash__


def _setattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str, Any], None]:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    return __setattr__


def _delattr(cls: Any, names: frozenset[str]) -> Callable[[Any, str], None]:
    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __delattr__


def _getstate(names: tuple[str, ...]) -> Callable[[Any], list[Any]]:
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, n) for n in names]

    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[Any, list[Any]], None]:
    def __setstate__(self: Any, state: list[Any]) -> None:
        for n, value in zip(names, state, strict=False):
            object.__setattr__(self, n, value)

    return __setstate__
