"""Speed helpers for building many small objects: cheaper constructors for the model records (compiled where
built), and compiled classes given their Python methods.  (Pausing the cyclic collector while they are built:
rcm.collector.)
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

__all__ = ["fast_constructor", "with_python_methods"]


_T = TypeVar("_T")


def with_python_methods(compiled: type[_T], python_class: type[Any], names: tuple[str, ...]) -> type[_T]:
    """Give a compiled class (rcm/x12/_segments.c's Segment, _loops.c's Loop) the methods written in Python on its
    Python twin, and the twin's docstring and qualified name."""
    for name in names:
        setattr(compiled, name, python_class.__dict__[name])
    compiled.__doc__ = python_class.__doc__
    compiled.__qualname__ = python_class.__qualname__
    return compiled
_UNSET: Any = object()
# Plain defaults a compiled constructor may share between records (never mutated).
_SHAREABLE = (type(None), str, int, float, bool, bytes, Decimal, date, tuple, frozenset)


def fast_constructor(cls: type[_T]) -> type[_T]:
    """Make a slots dataclass cheap to build: apply over ``@dataclass(slots=True)``.

    Positional calls fill the slots from C (rcm/x12/_records.c) when it was built and the class qualifies
    (plain positional fields, no ``__post_init__``, defaults that are immutable values or empty lists and
    dicts; those empty lists and dicts are made when the field is first read); other calls, and every call
    without the compiled module, go through an ``__init__`` that makes empty list and dict defaults with
    literals instead of calling ``list()``/``dict()`` factories.  Same
    parameters, same defaults, same records either way (the tests build every model class both ways).
    """
    _fast_constructor(cls)
    _install_compiled(cls)
    return cls


def _install_compiled(cls: type[Any]) -> None:
    if os.environ.get("RCM_PURE_PYTHON_MODELS") or hasattr(cls, "__post_init__"):
        return
    try:
        from rcm.x12 import _records  # type: ignore[attr-defined]
    except ImportError:
        return
    fields = dataclasses.fields(cls)
    names = tuple(f.name for f in fields)
    required = sum(1 for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
    defaults: list[tuple[int, Any]] = []
    for f in fields[required:]:
        if f.default_factory is list:
            defaults.append((1, None))
        elif f.default_factory is dict:
            defaults.append((2, None))
        elif f.default is not dataclasses.MISSING and isinstance(f.default, _SHAREABLE):
            defaults.append((0, f.default))
        else:
            return  # another factory, or a mutable default: the Python constructor it is
    try:
        _records.install(cls, names, required, tuple(defaults))
    except TypeError:
        return  # not a plain slots class: the Python constructor it is


def _fast_constructor(cls: type[_T]) -> type[_T]:
    """Give a dataclass an ``__init__`` that makes its empty list and dict defaults with literals.

    The generated ``__init__`` of a dataclass calls each ``default_factory`` (``list()``, ``dict()``): for the
    models built once per claim and line (a service line has ten such fields) that call is most of the
    construction.  Same parameters, same defaults, same behaviour.
    """
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, Any] = {"_UNSET": _UNSET}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = f.name
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{name}: fast_constructor handles plain positional fields only")
        if f.default_factory is list or f.default_factory is dict:
            empty = "[]" if f.default_factory is list else "{}"
            params.append(f"{name}=_UNSET")
            body.append(f"self.{name} = {empty} if {name} is _UNSET else {name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_UNSET")
            body.append(f"self.{name} = _factory_{name}() if {name} is _UNSET else {name}")
        elif f.default is not dataclasses.MISSING:
            namespace[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
            body.append(f"self.{name} = {name}")
        else:
            params.append(name)
            body.append(f"self.{name} = {name}")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n    " + "\n    ".join(body or ["pass"]) + "\n"
    exec(source, namespace)  # the source is built above from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign,misc]
    return cls
