"""Finding and reading policy files, and following their imports.

A policy is named by id (``city``: looked up in each folder of the
``MEDPOLICY_PATH`` search path, then among the bundled policies) or by path
(``my/city.mpol``).  Its imports are resolved inside the policy's root (the
folder it was found in), then inside the bundled policies, so a user policy
can import the shared national modules.  Imports never leave a root: no
absolute paths, no ``..``; cycles are reported with the cycle.
"""
from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import attrs

from . import ast
from .diagnostics import Diagnostic, did_you_mean
from .errors import PolicyError, PolicyNotFound
from .limits import DEFAULT_LIMITS, Limits
from .parser import parse
from .resources import bundled_policies
from .span import Span

ENV_PATH = "MEDPOLICY_PATH"


@attrs.frozen
class Program:
    """A policy file with every module it imports, parsed."""

    main: ast.File
    modules: dict[str, ast.File]
    """Parsed modules by display path."""
    imports: dict[tuple[str, str], str]
    """(importing file's display path, alias) → module display path."""
    texts: dict[str, str]
    """Source text by display path, for diagnostics and citations."""


def search_path() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get(ENV_PATH, "").split(os.pathsep) if p]
    return dirs + [bundled_policies()]


def available_policies() -> list[tuple[str, Path]]:
    """(id, path) of every policy file on the search path, first wins."""
    found: dict[str, Path] = {}
    for folder in search_path():
        if folder.is_dir():
            for path in sorted(folder.glob("*.mpol")):
                found.setdefault(path.stem, path)
    return sorted(found.items())


def resolve(ref: str, base: Path | None = None) -> Path:
    """The file a policy reference names; raise PolicyNotFound with suggestions."""
    if ref.endswith(".mpol") or "/" in ref or os.sep in ref:
        candidates = [Path(ref)] if Path(ref).is_absolute() else (
            ([base / ref] if base else []) + [Path(ref)])
        for candidate in candidates:
            if candidate.is_file():
                return candidate
        raise PolicyNotFound(f"policy file not found: {ref}")
    for folder in search_path():
        candidate = folder / f"{ref}.mpol"
        if candidate.is_file():
            return candidate
    known = [name for name, _ in available_policies()]
    hint = did_you_mean(ref, known)
    raise PolicyNotFound(f"no policy named '{ref}'" + (f"; {hint}" if hint else "")
                         + (f" (known: {', '.join(known)})" if known else ""))


def display_path(path: Path) -> str:
    """How a file is named in spans: ``policies/x.mpol`` for bundled ones."""
    path = path.resolve()
    bundled = bundled_policies().resolve()
    if path.is_relative_to(bundled):
        return str(PurePosixPath("policies", *path.relative_to(bundled).parts))
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path, shown: str, limits: Limits) -> str:
    size = path.stat().st_size
    if size > limits.max_policy_bytes:
        raise PolicyError([Diagnostic(
            "E004", f"the file is {size} bytes, over the limit of {limits.max_policy_bytes}",
            Span(shown, 1, 1), help="raise Limits.max_policy_bytes if this policy is really this long")])
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError([Diagnostic("E005", "the file is not valid UTF-8", Span(shown, line, 1),
                                      help="save the policy as UTF-8")]) from None


def load(path: Path, limits: Limits = DEFAULT_LIMITS) -> Program:
    """Parse a policy file and, recursively, what it imports."""
    shown = display_path(path)
    return load_source(read_text(path, shown, limits), shown, path.resolve().parent, limits)


def load_source(text: str, shown: str = "<string>", root: Path | None = None,
                limits: Limits = DEFAULT_LIMITS) -> Program:
    """Parse a policy held in memory (an editor buffer, a fuzzed input) and its
    imports, resolved inside ``root`` (default: the bundled policies)."""
    root = (root or bundled_policies()).resolve()
    main_shown = shown
    texts: dict[str, str] = {}
    modules: dict[str, ast.File] = {}
    imports: dict[tuple[str, str], str] = {}
    diagnostics: list[Diagnostic] = []

    def parse_text(text: str, shown: str) -> ast.File:
        texts[shown] = text
        try:
            return parse(text, shown, limits.max_nesting)
        except PolicyError as err:
            err.sources.update(texts)
            raise

    def parse_file(file_path: Path, shown: str) -> ast.File:
        return parse_text(read_text(file_path, shown, limits), shown)

    def follow(file: ast.File, stack: tuple[str, ...]) -> None:
        for decl in file.decls:
            if not isinstance(decl, ast.Import):
                continue
            target = _resolve_import(decl, root, diagnostics)
            if target is None:
                continue
            shown = display_path(target)
            if shown in stack:
                cycle = " → ".join(stack[stack.index(shown):] + (shown,))
                diagnostics.append(Diagnostic("E302", f"import cycle: {cycle}", decl.span,
                                              help="a module cannot import, directly or not, a file importing it"))
                continue
            imports[(file.path, decl.alias)] = shown
            if shown in modules:
                continue
            module = parse_file(target, shown)
            if not module.is_module:
                diagnostics.append(Diagnostic("E303", f"'{decl.path}' is a policy, not a module", decl.span,
                                              help="only files starting with `module` can be imported"))
                continue
            modules[shown] = module
            follow(module, stack + (shown,))

    if len(text.encode("utf-8")) > limits.max_policy_bytes:
        raise PolicyError([Diagnostic("E004", f"the text is over the limit of {limits.max_policy_bytes} bytes",
                                      Span(shown, 1, 1))])
    main = parse_text(text, main_shown)
    follow(main, (main_shown,))
    if diagnostics:
        raise PolicyError(diagnostics, texts)
    return Program(main, modules, imports, texts)


def _resolve_import(decl: ast.Import, root: Path, diagnostics: list[Diagnostic]) -> Path | None:
    if any(ord(ch) < 32 for ch in decl.path):
        # The operating system refuses such a name outright (a NUL byte raises ValueError).
        diagnostics.append(Diagnostic("E301", "import path contains a control character", decl.span,
                                      help="write the path of a .mpol file inside the policies folder"))
        return None
    rel = PurePosixPath(decl.path)
    if rel.is_absolute() or decl.path.startswith(("/", "\\")) or ":" in decl.path:
        diagnostics.append(Diagnostic("E301", f"import path '{decl.path}' is absolute", decl.span,
                                      help="write the path relative to the policies folder"))
        return None
    if ".." in rel.parts:
        diagnostics.append(Diagnostic("E301", f"import path '{decl.path}' leaves the policies folder", decl.span,
                                      help="imports stay inside the folder the policy is in"))
        return None
    for base in (root, bundled_policies().resolve()):
        candidate = (base / Path(*rel.parts)).resolve()
        # A symbolic link could still point outside the root: refuse it.
        if candidate.is_relative_to(base.resolve()) and candidate.is_file():
            return candidate
    diagnostics.append(Diagnostic("E304", f"cannot find module '{decl.path}'", decl.span,
                                  help="paths are relative to the folder of the policy being checked, then to the bundled policies"))
    return None
