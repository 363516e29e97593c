"""The install promises: declared ranges admit only working combinations, and every import is declared.

Colab installs the helpers package from git with its declared dependencies only, so pyproject.toml must
name every third-party module that src/helpers or a chapter imports, with ranges under which the code
works. requirements.txt (the pinned environment of `make`) must lie within those ranges, Binder must pin
what it pins, constraints/ must hold the ranges' lowest versions (`make test-lowest` runs them), and the
README's Python versions must match the Makefile's check.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib")

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DECLARED = [Requirement(line) for line in PYPROJECT["project"]["dependencies"]]
EXTRAS = [Requirement(line) for lines in PYPROJECT["project"]["optional-dependencies"].values() for line in lines]
EXTRA_OF = {  # distribution name -> the extra that declares it ("" for the dependencies themselves)
    **{canonicalize_name(Requirement(line).name): extra
       for extra, lines in PYPROJECT["project"]["optional-dependencies"].items() for line in lines},
    **{canonicalize_name(r.name): "" for r in DECLARED},
}
# Import names that differ from their distribution's name (for modules that are not installed, where
# importlib.metadata cannot tell).
DIST_OF_MODULE = {"sklearn": "scikit-learn", "IPython": "ipython", "matplotlib_inline": "matplotlib-inline", "yaml": "pyyaml"}

PLATFORMS = {  # marker environments of the platforms a reader may have
    "Linux x86-64": {"platform_system": "Linux", "platform_machine": "x86_64", "sys_platform": "linux"},
    "Linux aarch64": {"platform_system": "Linux", "platform_machine": "aarch64", "sys_platform": "linux"},
    "macOS Apple silicon": {"platform_system": "Darwin", "platform_machine": "arm64", "sys_platform": "darwin"},
    "macOS Intel": {"platform_system": "Darwin", "platform_machine": "x86_64", "sys_platform": "darwin"},
    "Windows": {"platform_system": "Windows", "platform_machine": "AMD64", "sys_platform": "win32"},
}


def active(requirements: list[Requirement], env: dict, name: str) -> list[Requirement]:
    """The requirements on ``name`` whose markers hold in ``env`` (all of them must hold together)."""
    name = canonicalize_name(name)
    return [r for r in requirements if canonicalize_name(r.name) == name and (r.marker is None or r.marker.evaluate(env))]


def admits(requirements: list[Requirement], version: str) -> bool:
    """True if ``version`` satisfies every one of ``requirements`` (pre-releases counted as releases)."""
    return all(r.specifier.contains(version, prereleases=True) for r in requirements)


# The first torch that passes chapters 11 and 12 (constraints/MEASURED.md); constraints/lowest.txt pins it.
TORCH_FLOOR = "2.8.0"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_torch_floor_is_the_measured_one_everywhere(platform):
    # Chapter 12 needs torch.nn.RMSNorm (2.4) and scaled_dot_product_attention(enable_gqa=...) (2.5), and
    # chapter 11's checks fail below the floor (constraints/MEASURED.md). Intel Macs, whose last torch is
    # 2.2.2, get no older torch: the package does not install there (README.md says so).
    torch_req = active(DECLARED, PLATFORMS[platform], "torch")
    assert torch_req, f"{platform}: torch must be declared"
    assert admits(torch_req, TORCH_FLOOR) and admits(torch_req, "2.13.0")
    older = [v for v in ("1.13.1", "2.2.2", "2.3.1", "2.4.1", "2.5.1", "2.6.0", "2.7.1", "2.8.0", "2.9.1")
             if Version(v) < Version(TORCH_FLOOR)]
    assert not [v for v in older if admits(torch_req, v)], f"{platform}: torch older than {TORCH_FLOOR} admitted"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_torch_older_than_2_3_only_with_numpy_1(platform):
    # torch 2.2 was built against numpy 1: with numpy 2, np.asarray(tensor) raises "Numpy is not available".
    env = PLATFORMS[platform]
    torch_req, numpy_req = active(DECLARED, env, "torch"), active(DECLARED, env, "numpy")
    assert torch_req and numpy_req, f"{platform}: torch and numpy must both be declared"
    old_torch = [v for v in ("2.0.1", "2.1.2", "2.2.0", "2.2.2") if admits(torch_req, v)]
    if old_torch:
        assert not admits(numpy_req, "2.0.0"), f"{platform}: torch {old_torch} admitted together with numpy 2"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_compiled_packages_admit_no_numpy_1_build_with_numpy_2(platform):
    # matplotlib 3.8.4 is the first release whose wheels are built against numpy 2.
    env = PLATFORMS[platform]
    if admits(active(DECLARED, env, "numpy"), "2.0.0"):
        assert not admits(active(DECLARED, env, "matplotlib"), "3.8.3")


def test_every_dependency_has_a_lower_bound():
    for name in {canonicalize_name(r.name) for r in DECLARED + EXTRAS}:
        lines = [r for r in DECLARED + EXTRAS if canonicalize_name(r.name) == name]
        assert any(s.operator in (">=", "==", "~=") for r in lines for s in r.specifier), f"{name}: no lower bound"


def test_requires_python_matches_the_code_target():
    # The code is written for 3.10 (ruff checks it for that target); every range resolves there too.
    assert PYPROJECT["project"]["requires-python"] == ">=3.10"
    assert PYPROJECT["tool"]["ruff"]["target-version"] == "py310"


def pins(path: Path) -> dict[str, Requirement]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith(("#", "-")):
            r = Requirement(line)
            out[canonicalize_name(r.name)] = r
    return out


def test_pinned_versions_lie_within_the_declared_ranges():
    pinned = pins(ROOT / "requirements.txt")
    env = PLATFORMS["Linux x86-64"]
    for r in DECLARED + EXTRAS:
        name = canonicalize_name(r.name)
        if r.marker is not None and not r.marker.evaluate(env):
            continue
        assert name in pinned, f"{r.name} is declared in pyproject.toml but not pinned in requirements.txt"
        (spec,) = pinned[name].specifier
        assert spec.operator == "==", f"requirements.txt must pin {r.name} exactly"
        assert admits(active(DECLARED + EXTRAS, env, name), spec.version), f"pin {pinned[name]} outside {r}"


def test_binder_pins_what_requirements_txt_pins():
    # Binder installs the package's dependencies and extras (and JupyterLab) at the versions `make` tests.
    binder, pinned = pins(ROOT / "binder" / "requirements.txt"), pins(ROOT / "requirements.txt")
    for name, r in binder.items():
        assert name in pinned, f"binder pins {r}, which requirements.txt does not pin"
        assert r.specifier == pinned[name].specifier, f"binder: {r} but requirements.txt: {pinned[name]}"
    env = PLATFORMS["Linux x86-64"]  # Binder runs Linux
    wanted = {canonicalize_name(r.name) for r in DECLARED + EXTRAS if r.marker is None or r.marker.evaluate(env)}
    assert not wanted - set(binder), f"binder/requirements.txt lacks {sorted(wanted - set(binder))}"
    assert "jupyterlab" in binder


def test_readers_do_not_install_the_test_tools():
    # requirements.txt is what reading and building needs; tests, lint and the browser are requirements-dev.txt.
    reader, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    tools = {"pytest", "pytest-xdist", "nbval", "hypothesis", "ruff", "playwright", "trl", "psutil"}
    assert not tools & set(reader), f"requirements.txt installs test tools: {sorted(tools & set(reader))}"
    assert tools <= set(dev), f"requirements-dev.txt lacks {sorted(tools - set(dev))}"
    assert not set(reader) & set(dev), f"pinned in both files: {sorted(set(reader) & set(dev))}"
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()


def floor(r: Requirement) -> str:
    (low,) = [s.version for s in r.specifier if s.operator == ">="]
    return low


def test_lowest_constraints_pin_the_declared_floors():
    # `make test-lowest` installs constraints/lowest.txt (the package alone, then its unit tests) and
    # constraints/lowest-reference.txt (with the extras, then the unit tests and chapters 10-12).
    lowest = pins(ROOT / "constraints" / "lowest.txt")
    reference = pins(ROOT / "constraints" / "lowest-reference.txt")
    env = PLATFORMS["Linux x86-64"]  # where CI runs it
    for r in DECLARED + EXTRAS:
        if r.marker is not None and not r.marker.evaluate(env):
            continue
        name = canonicalize_name(r.name)
        assert name in lowest and name in reference, f"{r.name}: not pinned in constraints/"
        assert str(lowest[name].specifier) == f"=={floor(r)}", f"constraints/lowest.txt: {lowest[name]}, floor {r}"
        (spec,) = reference[name].specifier
        assert admits(active(DECLARED + EXTRAS, env, name), spec.version), f"{reference[name]} outside {r}"
        if spec.version != floor(r):  # only where transformers' own floor is higher (the file says why)
            assert name in RAISED_BY_TRANSFORMERS, f"constraints/lowest-reference.txt raises {r.name} above its floor"
    assert set(lowest) == set(reference)


RAISED_BY_TRANSFORMERS = {"tokenizers", "regex"}


def test_installed_versions_satisfy_the_declared_ranges():
    for r in DECLARED:
        if r.marker is None or r.marker.evaluate():  # this machine
            assert admits([r], importlib.metadata.version(r.name)), f"installed {r.name} outside {r}"


def optional_imports(tree: ast.AST) -> set[int]:
    """Line numbers of imports guarded by ``try: ... except ImportError`` (optional by design)."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            caught = {getattr(h.type, "id", None) for h in node.handlers}
            caught |= {getattr(e, "id", None) for h in node.handlers if isinstance(h.type, ast.Tuple) for e in h.type.elts}
            if caught & {"ImportError", "ModuleNotFoundError"}:
                lines |= {n.lineno for stmt in node.body for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)}
    return lines


def top_level_imports(source: str) -> set[str]:
    """Top-level module names imported unconditionally (relative imports and guarded ones left out)."""
    tree = ast.parse(source)
    optional = optional_imports(tree)
    names = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in optional:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def notebook_code(path: Path) -> str:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return re.sub(r"^(\s*)[%!].*$", r"\1pass", code, flags=re.M)  # IPython magics and shell lines


def imported_modules() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    sources = [(p, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "src" / "helpers").rglob("*.py"))]
    sources += [(p, notebook_code(p)) for p in sorted((ROOT / "chapters").glob("*.ipynb"))]
    for path, source in sources:
        for name in top_level_imports(source):
            if name not in sys.stdlib_module_names and name not in ("helpers", "__future__"):
                found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    return found


def not_installed_message(module: str, where: str) -> str:
    """What to say when ``module`` (imported in ``where``) is not installed: which extra declares it, if any."""
    dist = canonicalize_name(DIST_OF_MODULE.get(module, module))
    if dist not in EXTRA_OF:
        return f"{module} (imported in {where}) is not installed and not declared: declare it in pyproject.toml"
    if EXTRA_OF[dist]:
        extra = EXTRA_OF[dist]
        return (f"{module} (imported in {where}) is not installed: it is in the [{extra}] extra of pyproject.toml; "
                f"pip install -e '.[{extra}]' installs it")
    return f"{module} (imported in {where}) is not installed, though pyproject.toml declares it: pip install -e ."


def test_every_third_party_import_is_declared():
    # Colab installs the package with its declared dependencies only (tqdm once arrived by accident).
    # An import may also come from an optional extra ([llm], [reference]): those are for the chapters
    # that say so in their Colab cell (Colab ships transformers already).
    declared = {canonicalize_name(r.name) for r in DECLARED + EXTRAS}
    owners = importlib.metadata.packages_distributions()
    missing = {}
    for module, where in imported_modules().items():
        dists = {canonicalize_name(d) for d in owners.get(module, [])}
        assert dists, not_installed_message(module, where[0])
        if not dists & declared:
            missing[module] = (sorted(dists), where[:3])
    assert not missing, f"imported but not declared in pyproject.toml dependencies or extras: {missing}"


def test_a_missing_module_is_blamed_on_its_extra():
    assert "the [llm] extra" in not_installed_message("gguf", "chapters/12_real_model.ipynb")
    assert "pip install -e '.[reference]'" in not_installed_message("sklearn", "chapters/10_pretraining_finetuning.ipynb")
    assert "the [reference] extra" in not_installed_message("transformers", "src/helpers/llama/reference.py")
    assert "declares it" in not_installed_message("IPython", "src/helpers/book.py")
    assert "not declared" in not_installed_message("nosuchmodule", "src/helpers/x.py")


def test_the_import_scan_sees_what_it_must():
    found = imported_modules()
    assert {"torch", "numpy", "matplotlib", "tokenizers", "tqdm", "IPython"} <= set(found)
    assert "myst_nb" not in found  # helpers.book imports it only inside try/except ImportError
    assert top_level_imports("try:\n    import a\nexcept ImportError:\n    import b\n") == {"b"}


def test_readme_and_makefile_state_the_same_python_versions():
    supported = re.search(r"^PY_SUPPORTED\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    versions = supported.group(1).split()
    assert versions[0] == "3.11", "numpy 2.4, matplotlib 3.11, ipykernel 7.4 ... need Python 3.11"
    promise = f"Python {versions[0]}–{versions[-1]}"
    for doc in ("README.md", "appendix/how_to_run.md"):
        text = (ROOT / doc).read_text(encoding="utf-8")
        assert promise in text, f"{doc} must state {promise!r} for `make`"
        assert "3.10–3.13" not in text
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions
