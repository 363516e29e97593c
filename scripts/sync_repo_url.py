"""Rewrite every chapter's Colab install cell from the repository URL in _config.yml.

The URL and branch live only in _config.yml (repository.url, repository.branch); the
launch buttons read them there. Run `make sync-url` after changing them; tests/test_book.py
fails until the notebooks agree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATTERN = re.compile(r'git\+[^"@\s]+@[^"\s]+"')


def repository() -> tuple[str, str]:
    block = (ROOT / "_config.yml").read_text(encoding="utf-8").split("repository:", 1)[1]
    url = re.search(r"^\s+url:\s*(\S+)", block, re.M).group(1)
    branch = re.search(r"^\s+branch:\s*(\S+)", block, re.M).group(1)
    return url, branch


def main() -> None:
    url, branch = repository()
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        data = json.loads(nb.read_text(encoding="utf-8"))
        changed = False
        for cell in data["cells"]:
            if cell["cell_type"] == "code" and "google.colab" in "".join(cell["source"]):
                new = [PATTERN.sub(f'git+{url}@{branch}"', line) for line in cell["source"]]
                changed |= new != cell["source"]
                cell["source"] = new
                break
        if changed:
            nb.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            print(f"updated {nb.name}")
    print(f"notebooks install from git+{url}@{branch}")


if __name__ == "__main__":
    main()
