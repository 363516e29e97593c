"""Shared by the training scripts: command-line options from a settings dataclass, and a safe output folder."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path


def parse_bool(text: str) -> bool:
    """'true'/'false' (also 1/0, yes/no) for a yes-or-no setting; argparse's type=bool took any text as True."""
    value = text.strip().lower()
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_settings(parser: argparse.ArgumentParser, settings_class: type) -> None:
    """One ``--option`` per field of the dataclass ``settings_class``, typed by its default (booleans parsed)."""
    for f in fields(settings_class):
        kind = parse_bool if isinstance(f.default, bool) else type(f.default)
        parser.add_argument(f"--{f.name.replace('_', '-')}", type=kind, default=f.default)


def read_settings(args: argparse.Namespace, settings_class: type):
    """The dataclass ``settings_class`` filled from the parsed ``args``."""
    return settings_class(**{f.name: getattr(args, f.name) for f in fields(settings_class)})


def refuse_overwrite(parser: argparse.ArgumentParser, path: Path, force: bool) -> None:
    """Stop with a clear message when ``path`` exists and ``--force`` was not given."""
    if path.exists() and not force:
        parser.error(f"{path} exists (the chapters load it): pass --force to replace it, or --out to write elsewhere")
