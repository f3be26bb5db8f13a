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
from .diagnostics import Diagnostic, closest
from .errors import PolicyError, PolicyNotFound
from .limits import DEFAULT_LIMITS, Limits
from .localize import msg
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
    files: dict[str, Path] = attrs.field(factory=dict, eq=False)
    """Where each imported module was read, by display path (what a cache must watch)."""


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
            if _is_file(candidate):
                return candidate
        raise PolicyNotFound(msg("load.file_not_found", ref=ref))
    for folder in search_path():
        candidate = folder / f"{ref}.mpol"
        if _is_file(candidate):
            return candidate
    known = [name for name, _ in available_policies()]
    hint = closest(ref, known)
    if hint:
        raise PolicyNotFound(msg("load.unknown.hint", ref=ref, name=hint, known=known))
    raise PolicyNotFound(msg("load.unknown.known", ref=ref, known=known) if known else msg("load.unknown", ref=ref))


def usable_path(path: Path) -> str:
    """A path that names the file from the current folder: relative inside it, absolute outside."""
    path = path.resolve()
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


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
        raise PolicyError([Diagnostic.of(msg("E004.file", size=size, limit=limits.max_policy_bytes),
                                         Span(shown, 1, 1), help=msg("E004.file.help"))])
    data = path.read_bytes()
    try:
        # utf-8-sig: Windows Notepad starts a UTF-8 file with a byte-order mark; it is no character of the policy.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError([Diagnostic.of(msg("E005"), Span(shown, line, 1), help=msg("E005.help"))]) from None


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
    files: dict[str, Path] = {}
    diagnostics: list[Diagnostic] = []

    # The parser (and Lark) load only when a text must really be parsed: a policy
    # found in the cache of checked policies never needs them.
    from .parser import parse

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
                cycle = list(stack[stack.index(shown):] + (shown,))
                diagnostics.append(Diagnostic.of(msg("E302", cycle=cycle), decl.span, help=msg("E302.help")))
                continue
            imports[(file.path, decl.alias)] = shown
            if shown in modules:
                continue
            files[shown] = target
            module = parse_file(target, shown)
            if not module.is_module:
                diagnostics.append(Diagnostic.of(msg("E303", path=decl.path), decl.span, help=msg("E303.help")))
                continue
            modules[shown] = module
            follow(module, stack + (shown,))

    if len(text.encode("utf-8")) > limits.max_policy_bytes:
        raise PolicyError([Diagnostic.of(msg("E004.text", limit=limits.max_policy_bytes), Span(shown, 1, 1))])
    main = parse_text(text, main_shown)
    follow(main, (main_shown,))
    if diagnostics:
        raise PolicyError(diagnostics, texts)
    return Program(main, modules, imports, texts, files)


def _resolve_import(decl: ast.Import, root: Path, diagnostics: list[Diagnostic]) -> Path | None:
    if any(ord(ch) < 32 for ch in decl.path):
        # The operating system refuses such a name outright (a NUL byte raises ValueError).
        diagnostics.append(Diagnostic.of(msg("E301.control"), decl.span, help=msg("E301.control.help")))
        return None
    rel = PurePosixPath(decl.path)
    if rel.is_absolute() or decl.path.startswith(("/", "\\")) or ":" in decl.path:
        diagnostics.append(Diagnostic.of(msg("E301.absolute", path=decl.path), decl.span,
                                         help=msg("E301.absolute.help")))
        return None
    if ".." in rel.parts:
        diagnostics.append(Diagnostic.of(msg("E301.escape", path=decl.path), decl.span,
                                         help=msg("E301.escape.help")))
        return None
    for base in (root, bundled_policies().resolve()):
        candidate = (base / Path(*rel.parts)).resolve()
        # A symbolic link could still point outside the root: refuse it.
        if candidate.is_relative_to(base.resolve()) and _is_file(candidate):
            return candidate
    diagnostics.append(Diagnostic.of(msg("E304", path=decl.path), decl.span, help=msg("E304.help")))
    return None


def _is_file(path: Path) -> bool:
    """Whether path is a readable file; a name the system refuses is simply not one."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        # pathlib swallows only some errors: a name over the system's length limit
        # (ENAMETOOLONG) or with a NUL byte still raises.
        return False
