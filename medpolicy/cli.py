"""The ``medpolicy`` command: eval, compare, batch, check, fmt, test, diff, verify, policies, show, serve, lsp.

User errors (a bad policy, a bad scenario, a missing file) print a clear
message and exit with 2 (bad input) or 1 (a policy that fails its check);
they never print a traceback unless ``--debug`` is given.  Every command
takes ``--lang zh|en`` (default: from the locale), and its output,
diagnostics and errors are all worded in that language.
"""
from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import click

from . import load_policy, render_json, render_text
from .diagnostics import render_all
from .errors import MedpolicyError, PolicyError, PolicyNotFound
from .evaluator import evaluate_scenario
from .loader import available_policies, display_path, load, resolve, usable_path
from .localize import msg, say
from .messages import LANGS, default_lang, word
from .scenario import load_scenario, policy_reference, validate


def _choose_lang(ctx, param, value):
    """The language asked for, else the locale's; remembered for the errors the group prints."""
    lang = value or default_lang()
    ctx.ensure_object(dict)["lang"] = lang
    return lang


# Eager, so that the language is known before any other option or argument can fail.
LANG_OPTION = click.option("--lang", type=click.Choice(LANGS), default=None, is_eager=True, callback=_choose_lang,
                           help="Language of the output, diagnostics and errors: zh or en (default: from the locale).")


def _set_debug(ctx, param, value):
    if value:
        ctx.ensure_object(dict)["debug"] = True


# Accepted before or after the command name (`medpolicy --debug eval …`, `medpolicy eval … --debug`).
DEBUG_OPTION = click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
                            help="Show Python tracebacks for errors.")


class _Group(click.Group):
    """Turns medpolicy errors into messages and exit codes."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicyError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(render_all(err.diagnostics, err.sources, _lang(ctx)), err=True)
            ctx.exit(err.exit_code)
        except MedpolicyError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            lang = _lang(ctx)
            click.echo(say("cli.error", lang, message=err.text(lang)), err=True)
            ctx.exit(err.exit_code)
        except BrokenPipeError:
            raise
        except OSError as err:
            # A path the system refuses (too long, a folder, no permission) is the
            # user's to fix, wherever a command first touched it.
            if ctx.obj and ctx.obj.get("debug"):
                raise
            lang = _lang(ctx)
            reason = say("error.file", lang, path=err.filename, reason=err.strerror) if err.filename else str(err)
            click.echo(say("cli.error", lang, message=reason), err=True)
            ctx.exit(2)


def _problems(lang: str, path: str, count: int) -> str:
    """The closing line of a check that failed: one problem, or N problems."""
    return word("check.problems.one" if count == 1 else "check.problems", lang, path=path, count=count)


def _lang(ctx) -> str:
    return (ctx.obj or {}).get("lang") or default_lang()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@DEBUG_OPTION
@click.version_option(package_name="medpolicy")
@click.pass_context
def main(ctx):
    """Evaluate medical-insurance policies written in the medpolicy language."""
    ctx.ensure_object(dict)


@main.command("eval")
@click.argument("scenarios", metavar="SCENARIO...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--policy", "policy_ref", help="Policy id or .mpol path (overrides the scenario's `policy`).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-explain", is_flag=True, help="Figures only: build no explanation (faster; same figures).")
@LANG_OPTION
@DEBUG_OPTION
def eval_command(scenarios, policy_ref, fmt, no_explain, lang):
    """Evaluate scenario files (YAML or JSON) and print each explained statement.

    Several files print their statements one after another (text), or as one
    JSON array (--format json).
    """
    statements = []
    for scenario in scenarios:
        try:
            data = load_scenario(scenario)
            ref = policy_ref or policy_reference(data)
            if not ref:
                raise click.UsageError(msg("cli.no_policy").text(lang))
            base = scenario.parent if not policy_ref else Path.cwd()
            program = load_policy(resolve(ref, base))
            scenario_read = validate(data, program.levels, program.conditions, categories=program.categories)
            statements.append(evaluate_scenario(program, scenario_read, explain=not no_explain))
        except MedpolicyError as err:
            # With several files, the error says which one (a policy's diagnostics name their .mpol already).
            debug = (click.get_current_context().obj or {}).get("debug")
            if len(scenarios) == 1 or isinstance(err, PolicyError) or debug:
                raise
            raise MedpolicyError(msg("error.at", path=str(scenario), message=err.text(lang))) from err
    if fmt == "json":
        texts = [render_json(s, lang) for s in statements]
        click.echo(texts[0] if len(texts) == 1 else "[\n" + ",\n".join(t.rstrip("\n") for t in texts) + "\n]\n",
                   nl=False)
    else:
        click.echo("\n".join(render_text(s, lang) for s in statements), nl=False)


@main.command("compare")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--policies", "refs", required=True,
              help="Comma-separated policy ids or .mpol paths, e.g. city_a,city_b,path/to/city_c.mpol.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text",
              show_default=True, help="html: one self-contained page with a chart and every step's citation.")
@click.option("--no-explain", is_flag=True, help="Figures only: build no explanation (faster; same figures).")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="What-if: change a param, let or cap of the first policy (repeatable); it is shown beside "
                   "its baseline.")
@LANG_OPTION
@DEBUG_OPTION
def compare_command(scenario, refs, fmt, no_explain, overrides, lang):
    """Evaluate one scenario file under several policies, side by side."""
    from .compare import compare
    from .render_compare import render_compare_md, render_compare_text
    from .render_json import comparison_dict

    data = load_scenario(scenario)
    policies = [load_policy(resolve(ref.strip(), Path.cwd())) for ref in refs.split(",") if ref.strip()]
    if not policies:
        raise click.UsageError(msg("cli.no_policies").text(lang))
    if overrides:
        from .whatif import apply_overrides

        policies.insert(1, apply_overrides(policies[0], overrides, lang))
    result = compare(data, policies, explain=not no_explain)
    if fmt == "json":
        import json

        click.echo(json.dumps(comparison_dict(result, lang), ensure_ascii=False, indent=2, default=str))
    elif fmt == "html":
        from .render_html import render_compare_html

        click.echo(render_compare_html(result, lang), nl=False)
    else:
        if fmt == "md":
            click.echo(render_compare_md(result, lang), nl=False)
        else:
            # Colour only on a terminal, and never where the user asked for none (NO_COLOR).
            colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            click.echo(render_compare_text(result, lang, colour=colour), nl=False)


@main.command("check")
@click.argument("policies", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Treat warnings (lints included) as errors: exit 1 if there is any.")
@LANG_OPTION
@DEBUG_OPTION
def check_command(policies, fmt, strict, lang):
    """Check and lint policies (ids or paths); exit 1 if any has an error (or, with --strict, a warning)."""
    import json

    import attrs

    from .checker import check  # always a real check: never the cache of checked policies

    failed = False
    report = []
    for ref in policies:
        path = resolve(ref)
        try:
            policy = check(load(path), lint=True)
            if strict and policy.warnings:
                raise PolicyError([attrs.evolve(d, severity="error") for d in policy.warnings], policy.texts)
        except PolicyError as err:
            failed = True
            if fmt == "json":
                report.append({"policy": ref, "ok": False,
                               "diagnostics": [d.as_dict(lang) for d in err.diagnostics]})
            else:
                click.echo(render_all(err.diagnostics, err.sources, lang), err=True)
                click.echo(_problems(lang, display_path(path), len(err.diagnostics)), err=True)
            continue
        if fmt == "json":
            report.append({"policy": ref, "ok": True, "diagnostics": [d.as_dict(lang) for d in policy.warnings]})
        else:
            if policy.warnings:
                click.echo(render_all(policy.warnings, policy.texts, lang), err=True)
            count = len(policy.benefits)
            click.echo(word("check.ok.one" if count == 1 else "check.ok", lang, path=display_path(path), benefits=count))
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


@main.command("fmt")
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing: list the files that would change; exit 1 if any would.")
@LANG_OPTION
@DEBUG_OPTION
def fmt_command(files, check_only, lang):
    """Rewrite .mpol files in the canonical layout, in place (comments kept, meaning unchanged).

    `-` reads standard input and writes the result to standard output.  A file
    with a syntax error is left as it is (exit 1).
    """
    from .formatter import format_source
    from .limits import DEFAULT_LIMITS
    from .loader import read_text

    failed = changed = False
    # Where the formatted text goes to standard output, the list of files goes beside it, to standard error.
    to_stderr = "-" in files and not check_only
    for name in files:
        path = None if name == "-" else Path(name)
        if path is not None and not path.is_file():
            raise PolicyNotFound(msg("load.file_not_found", ref=name))
        shown = "<stdin>" if path is None else display_path(path)
        try:
            text = sys.stdin.read() if path is None else read_text(path, shown, DEFAULT_LIMITS)
            formatted = format_source(text, shown)
        except PolicyError as err:
            failed = True
            click.echo(render_all(err.diagnostics, err.sources, lang), err=True)
            click.echo(_problems(lang, shown, len(err.diagnostics)), err=True)
            continue
        if path is None and not check_only:
            click.echo(formatted, nl=False)
            continue
        if text.partition("\n")[0].endswith("\r"):
            # A file written with Windows line endings keeps them: they are the editor's, not a layout.
            formatted = formatted.replace("\n", "\r\n")
        if formatted == text:
            continue
        changed = True
        if check_only:
            click.echo(word("fmt.would_change", lang, path=shown))
        else:
            path.write_text(formatted, encoding="utf-8", newline="")
            click.echo(word("fmt.reformatted", lang, path=shown), err=to_stderr)
    sys.exit(1 if failed or (check_only and changed) else 0)


@main.command("verify")
@click.argument("policy_ref", metavar="POLICY")
@click.option("--examples", default=300, show_default=True, help="How many scenarios to generate.")
@click.option("--seed", type=int, default=None, help="Random seed (default: a fixed, repeatable search).")
@LANG_OPTION
@DEBUG_OPTION
def verify_command(policy_ref, examples, seed, lang):
    """Check the invariants on generated scenarios; print a counterexample if one fails."""
    # verify.py imports hypothesis only when it generates, so its absence shows here, not at import.
    try:
        importlib.import_module("hypothesis")
    except ImportError:
        raise MedpolicyError(msg("cli.needs_hypothesis")) from None
    from .verify import verify
    import yaml

    path = resolve(policy_ref)
    policy = load_policy(path)
    result = verify(policy, examples=examples, seed=seed)
    if result is None:
        click.echo(word("verify.ok", lang, path=display_path(path), examples=examples))
        return
    scenario, problems = result
    click.echo(word("verify.failed", lang, path=display_path(path)), err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(yaml.safe_dump(dict({"policy": policy_ref}, **scenario), allow_unicode=True, sort_keys=False))
    sys.exit(1)


@main.command("show")
@click.argument("policy_ref", metavar="POLICY")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@DEBUG_OPTION
def show_command(policy_ref, fmt, lang):
    """What a policy says: its year, what a scenario may say, named values, benefits by priority."""
    from .describe import describe
    from .render_show import render_show

    policy = load_policy(resolve(policy_ref))
    description = describe(policy)
    if fmt == "json":
        import json

        click.echo(json.dumps({"id": policy.id, "title": policy.title, "period": [str(policy.start), str(policy.end)],
                               **description}, ensure_ascii=False, indent=2))
    else:
        click.echo(render_show(policy, description, lang), nl=False)


@main.command("test")
@click.argument("paths", metavar="[PATH]...", nargs=-1, type=click.Path(path_type=Path))
@click.option("--policy", "policy_ref", help="Run every case against this policy id or .mpol path instead "
                                             "(try a draft against the published version's tests).")
@click.option("--update", is_flag=True, help="Write the figures the policy now gives into the test files "
                                             "(only the figures change; comments stay).")
@click.option("--coverage", "show_coverage", is_flag=True, help="List the rules of each policy no case exercised.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
@DEBUG_OPTION
def test_command(paths, policy_ref, update, show_coverage, fmt, lang):
    """Run policy tests: *.test.yaml files and scenario files with an `expect` block.

    PATHs are files or folders (searched recursively; default: the current folder).
    Exit 1 if a case fails or no test is found.
    """
    from . import policytests
    from .render_policytests import render_report, render_report_json

    if policy_ref is not None:
        # A draft that does not check is reported once, with its diagnostics, not once per case.
        load_policy(resolve(policy_ref, Path.cwd()))
    report = policytests.run(list(paths) or [Path.cwd()], policy_ref)
    if update:
        for path, count in policytests.update(report).items():
            click.echo(word("test.updated", lang, path=display_path(path), count=count), err=True)
        report = policytests.run(list(paths) or [Path.cwd()], policy_ref)
    found = policytests.coverage(report.results) if show_coverage else None
    render = render_report_json if fmt == "json" else render_report
    click.echo(render(report, lang, found), nl=False)
    # No test found is a failure too: a mistyped path must not pass a CI job.
    sys.exit(0 if report.ok and (report.results or report.file_errors) else 1)


@main.command("policies")
@LANG_OPTION
@DEBUG_OPTION
def policies_command(lang):
    """List the policies on the search path (MEDPOLICY_PATH, then the bundled ones)."""
    for name, path in available_policies():
        try:
            title = load_policy(path).title
        except PolicyError:
            title = word("policies.broken", lang)
        click.echo(f"{name}\t{title}\t{usable_path(path)}")


@main.command("diff")
@click.argument("refs", metavar="A B", nargs=-1, required=True)
@click.option("--scenarios", multiple=True, metavar="DIR|FILE...", type=click.Path(exists=True, path_type=Path),
              help="Evaluate these scenarios (a folder: its YAML and JSON files) under A and under B and list the "
                   "claims whose outcome changes.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-code", is_flag=True, help="Exit 1 when the policies differ (default: 0 for any diff).")
@LANG_OPTION
@DEBUG_OPTION
def diff_command(refs, scenarios, fmt, exit_code, lang):
    """What changed from policy A to policy B (ids or .mpol paths), clause by clause, and what it changes."""
    from .policy_diff import diff_policies, diff_scenarios, scenario_files
    from .render_diff import render_diff_json, render_diff_text

    # `--scenarios a.yaml b.yaml`: click gives an option one value; the files after it come as arguments.
    if len(refs) < 2 or (len(refs) > 2 and not scenarios):
        raise click.UsageError(word("diff.usage", lang))
    extra = [Path(p) for p in refs[2:]]
    a, b = (load_policy(resolve(ref, Path.cwd())) for ref in refs[:2])
    diff = diff_policies(a, b)
    report = diff_scenarios(a, b, scenario_files([*scenarios, *extra])) if scenarios else None
    render = render_diff_json if fmt == "json" else render_diff_text
    click.echo(render(diff, report, lang), nl=False)
    sys.exit(1 if exit_code and not diff.identical else 0)


if __name__ == "__main__":  # pragma: no cover
    main()


@main.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output: .jsonl (a statement a line) or .parquet (a row a claim, plus OUT.totals.parquet).")
@click.option("--policy", "policy_ref", help="Policy id or .mpol path (overrides each scenario's `policy`).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: every core; 1: in this process).")
@click.option("--no-explain", is_flag=True, help="Figures only: build no explanations (faster; same figures).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default=None,
              help="local (this machine's cores, the default) or dask (a dask.distributed cluster).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://host:8786 (implies --engine dask; without it, a local cluster).")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where refused scenarios and rows go (default: OUT's name + .errors.jsonl).")
@LANG_OPTION
@DEBUG_OPTION
def batch_command(input_path, output, policy_ref, workers, no_explain, engine, scheduler, errors_path, lang):
    """Evaluate a population: JSON Lines of scenarios, or a claims table (CSV, Parquet).

    Exit 0 when every row made it into the output, 3 when some were refused
    (see the errors file); 1 or 2 when the run could not start.
    """
    from .batch import run_batch

    summary = run_batch(input_path, output, policy=policy_ref, workers=workers, explain=not no_explain,
                        engine=engine or ("dask" if scheduler else "local"), scheduler=scheduler,
                        errors=errors_path, lang=lang)
    click.echo(summary.text(lang), nl=False)
    sys.exit(0 if summary.ok else 3)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port (0: any free port).")
@click.option("--policies", "folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Serve the *.mpol files of this folder (default: MEDPOLICY_PATH, then the bundled policies).")
@click.option("--max-body-bytes", type=click.IntRange(min=1), default=1_048_576, show_default=True,
              help="Largest request body, in bytes.")
@click.option("--max-claims", type=click.IntRange(min=1), default=1_000, show_default=True,
              help="Most claims in one scenario.")
@click.option("--max-batch", type=click.IntRange(min=1), default=100, show_default=True,
              help="Most scenarios in one batch request (and policies in one comparison).")
@click.option("--reload-interval", default="2", show_default=True, metavar="SECONDS",
              help="Seconds between checks of the policy files; 0 turns reloading off.")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]), default="info",
              show_default=True)
@click.option("--access-log", is_flag=True, help="Log a line per request.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True, is_eager=True,
              callback=_choose_lang, help="Language of statements and errors when a request asks for none.")
@DEBUG_OPTION
def serve_command(host, port, folder, max_body_bytes, max_claims, max_batch, reload_interval, log_level,
                  access_log, lang):
    """Serve the policies over HTTP: POST /v1/evaluate and more (see docs/service.md)."""
    from .service import Settings, serve

    try:
        settings = Settings(host=host, port=port, policies=folder, max_body_bytes=max_body_bytes,
                            max_claims=max_claims, max_batch=max_batch, reload_interval_s=reload_interval,
                            lang=lang, log_level=log_level, access_log=access_log)
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    serve(settings)  # until interrupted; a missing extra is a MedpolicyError, printed by the group


@main.command("lsp")
@LANG_OPTION
@DEBUG_OPTION
# Many editors' clients start a server with `--stdio`; standard input and output is the only way this one talks.
@click.option("--stdio", is_flag=True, expose_value=False, hidden=True)
def lsp_command(lang):
    """Run the language server on standard input and output, for editors (see editors/README.md).

    --lang is the language of diagnostics and hovers when the editor asks for
    none (its initializationOptions.lang).
    """
    try:
        from .lsp.server import serve as serve_lsp
    except ImportError as err:
        if (err.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs"):
            raise
        raise MedpolicyError(msg("cli.needs_pygls")) from None
    serve_lsp(lang)
