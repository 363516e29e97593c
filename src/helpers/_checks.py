"""Input checks shared by the helpers: each raises with a message naming what was wrong."""

from __future__ import annotations

import torch


def check_tensor(x: object, name: str, ndim: int | tuple[int, ...] | None = None,
                 floating: bool | None = None) -> torch.Tensor:
    """Check that ``x`` is a tensor (optionally of ``ndim`` dims and a float/integer dtype)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.dim() not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dims, got shape {tuple(x.shape)}"
            )
    if floating is True and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if floating is False and (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool):
        raise TypeError(f"{name} must be an integer tensor of token ids, got dtype {x.dtype}")
    return x


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


# ------------------------------------------------------------------------------------------------
# Scalars, strings and lists. Each check returns the value (converted to a plain int/float/list)
# and raises TypeError for a wrong type, ValueError for a bad value; the message names the
# argument, shows the value (shortened) and says what was expected.
# ------------------------------------------------------------------------------------------------


def show(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters, with the type when it is not obvious."""
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    if isinstance(value, (bool, int, float, str, type(None))):
        return text
    return f"{text} ({type(value).__name__})"


def _is_int(value: object) -> bool:
    import numbers

    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and type(value).__name__ != "bool_"


def check_int(value: object, name: str, low: int | None = None, high: int | None = None) -> int:
    """An int (not a bool) with ``low <= value <= high`` (either bound optional)."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int{_bounds(low, high)}, got {show(value)}")
    value = int(value)  # type: ignore[arg-type]
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{name} must be an int{_bounds(low, high)}, got {value!r}")
    return value


def _bounds(low: object, high: object, low_open: bool = False, high_open: bool = False) -> str:
    low, high = (f"{x:g}" if isinstance(x, float) else x for x in (low, high))
    if low is not None and high is not None:
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def check_number(value: object, name: str, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (not a bool) in the given range; NaN and inf are refused."""
    import math
    import numbers

    bounds = _bounds(low, high, low_open, high_open)
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(f"{name} must be a number{bounds}, got {show(value)}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number{bounds}, got {value!r}")
    if (low is not None and (x <= low if low_open else x < low)) or (
        high is not None and (x >= high if high_open else x > high)
    ):
        raise ValueError(f"{name} must be{bounds}, got {value!r}")
    return x


def check_bool(value: object, name: str) -> bool:
    """True or False (numpy's bool too); 0/1, strings and None are refused."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{name} must be True or False, got {show(value)}")


def check_str(value: object, name: str, nonempty: bool = False) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {show(value)}")
    if nonempty and not value:
        raise ValueError(f"{name} must be a non-empty str, got ''")
    return value


def check_str_list(value: object, name: str, nonempty: bool = False, item_nonempty: bool = False) -> list[str]:
    """A list (or tuple, or other iterable) of str, not a single str; returned as a list."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a list of str, got the single {type(value).__name__} {show(value)}")
    try:
        items = list(value)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"{name} must be a list of str, got {show(value)}") from None
    for i, s in enumerate(items):
        if not isinstance(s, str):
            raise TypeError(f"{name}[{i}] must be a str, got {show(s)}")
        if item_nonempty and not s:
            raise ValueError(f"{name}[{i}] must be a non-empty str, got ''")
    if nonempty and not items:
        raise ValueError(f"{name} must not be empty")
    return items


def check_list(value: object, name: str, what: str = "items") -> list:
    """Any iterable but a str or a tensor, as a list (a single tensor is not a list of them)."""
    if isinstance(value, (str, bytes, torch.Tensor)) or not _iterable(value):
        raise TypeError(f"{name} must be a list of {what}, got {show(value)}")
    return list(value)  # type: ignore[call-overload]


def check_int_list(value: object, name: str, what: str = "int items") -> list[int]:
    """A list (any iterable but a str or a tensor) of ints, each checked; returned as plain ints."""
    items = check_list(value, name, what)
    for item in items:
        if not _is_int(item):
            raise TypeError(f"{name} must hold {what}, got {show(item)} in {show(items)}")
    return [int(item) for item in items]  # type: ignore[call-overload]


def _iterable(value: object) -> bool:
    try:
        iter(value)  # type: ignore[call-overload]
    except TypeError:
        return False
    return True


def check_finite(x: torch.Tensor, name: str) -> torch.Tensor:
    """One vectorised test: every entry of ``x`` is finite (no NaN, no inf)."""
    if x.is_floating_point() and not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} holds NaN or inf values")
    return x
