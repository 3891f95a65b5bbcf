"""Speed helpers for building many small objects: garbage-collector pausing while segments and model rows
are built, and dataclass constructors that make their empty containers with literals.

Garbage-collector pausing:

CPython's cyclic collector rescans every young container; building a few hundred thousand segments that
all stay alive triggers it thousands of times for nothing (segments hold no cycles).  Pausing it for the
duration of a build and restoring the caller's setting afterwards keeps parsing linear.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["literal_defaults", "paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic GC inside the block (no-op when it is already disabled)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_T = TypeVar("_T")
_UNSET: Any = object()


def literal_defaults(cls: type[_T]) -> type[_T]:
    """Give a dataclass an ``__init__`` that makes its empty list and dict defaults with literals.

    The generated ``__init__`` of a dataclass calls each ``default_factory`` (``list()``, ``dict()``): for the
    models built once per claim and line (a service line has ten such fields) that call is most of the
    construction.  Same parameters, same defaults, same behaviour; apply it over ``@dataclass``.
    """
    params: list[str] = []
    body: list[str] = []
    namespace: dict[str, Any] = {"_UNSET": _UNSET}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        name = f.name
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{name}: literal_defaults handles plain positional fields only")
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
