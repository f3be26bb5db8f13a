"""The ``medpolicy`` command: eval, check, policies.

User errors (a bad policy, a bad scenario, a missing file) print a clear
message and exit with 2 (bad input) or 1 (a policy that fails its check);
they never print a traceback unless ``--debug`` is given.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import render_json, render_text
from .checker import check
from .compiler import compile_policy
from .diagnostics import render_all
from .errors import MedpolicyError, PolicyError
from .evaluator import evaluate_scenario
from .loader import available_policies, display_path, load, resolve
from .messages import LANGS, default_lang, word
from .scenario import load_scenario, policy_reference, validate

LANG_OPTION = click.option("--lang", type=click.Choice(LANGS), default=None,
                           help="Language of the output: zh or en (default: from the locale).")


class _Group(click.Group):
    """Turns medpolicy errors into messages and exit codes."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PolicyError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(render_all(err.diagnostics, err.sources), err=True)
            ctx.exit(err.exit_code)
        except MedpolicyError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"error: {err}", err=True)
            ctx.exit(err.exit_code)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.version_option(package_name="medpolicy")
@click.pass_context
def main(ctx, debug):
    """Evaluate medical-insurance policies written in the medpolicy language."""
    ctx.obj = {"debug": debug}


@main.command("eval")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--policy", "policy_ref", help="Policy id or .mpol path (overrides the scenario's `policy`).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--no-explain", is_flag=True, help="Figures only: build no explanation (faster; same figures).")
@LANG_OPTION
def eval_command(scenario, policy_ref, fmt, no_explain, lang):
    """Evaluate a scenario file (YAML or JSON) and print the explained statement."""
    lang = lang or default_lang()
    data = load_scenario(scenario)
    ref = policy_ref or policy_reference(data)
    if not ref:
        raise click.UsageError("the scenario names no policy; add `policy: ID` or pass --policy")
    base = scenario.parent if not policy_ref else Path.cwd()
    program = compile_policy(check(load(resolve(ref, base))))
    statement = evaluate_scenario(program, validate(data, program.levels, program.conditions),
                                  explain=not no_explain)
    click.echo(render_json(statement, lang) if fmt == "json" else render_text(statement, lang), nl=False)


@main.command("check")
@click.argument("policies", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@LANG_OPTION
def check_command(policies, fmt, lang):
    """Check policies (ids or paths); exit 1 if any has an error."""
    import json

    lang = lang or default_lang()
    failed = False
    report = []
    for ref in policies:
        path = resolve(ref)
        try:
            policy = check(load(path))
        except PolicyError as err:
            failed = True
            if fmt == "json":
                report.append({"policy": ref, "ok": False, "diagnostics": [d.as_dict() for d in err.diagnostics]})
            else:
                click.echo(render_all(err.diagnostics, err.sources), err=True)
                click.echo(word("check.problems", lang, path=display_path(path), count=len(err.diagnostics)), err=True)
            continue
        if fmt == "json":
            report.append({"policy": ref, "ok": True, "diagnostics": [d.as_dict() for d in policy.warnings]})
        else:
            if policy.warnings:
                click.echo(render_all(policy.warnings, policy.texts), err=True)
            click.echo(word("check.ok", lang, path=display_path(path), benefits=len(policy.benefits)))
    if fmt == "json":
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(1 if failed else 0)


@main.command("verify")
@click.argument("policy_ref", metavar="POLICY")
@click.option("--examples", default=300, show_default=True, help="How many scenarios to generate.")
@click.option("--seed", type=int, default=None, help="Random seed (default: a fixed, repeatable search).")
@LANG_OPTION
def verify_command(policy_ref, examples, seed, lang):
    """Check the invariants on generated scenarios; print a counterexample if one fails."""
    try:
        from .verify import verify
    except ImportError:  # pragma: no cover - hypothesis is a test/verify extra
        raise MedpolicyError("medpolicy verify needs hypothesis: pip install 'medpolicy[verify]'") from None
    import yaml

    path = resolve(policy_ref)
    policy = compile_policy(check(load(path)))
    result = verify(policy, examples=examples, seed=seed)
    if result is None:
        click.echo(word("verify.ok", lang or default_lang(), path=display_path(path), examples=examples))
        return
    scenario, problems = result
    click.echo(word("verify.failed", lang or default_lang(), path=display_path(path)), err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)
    click.echo(yaml.safe_dump(dict({"policy": policy_ref}, **scenario), allow_unicode=True, sort_keys=False))
    sys.exit(1)


@main.command("policies")
@LANG_OPTION
def policies_command(lang):
    """List the policies on the search path (MEDPOLICY_PATH, then the bundled ones)."""
    for name, path in available_policies():
        try:
            title = check(load(path)).title
        except PolicyError:
            title = word("policies.broken", lang or default_lang())
        click.echo(f"{name}\t{title}\t{display_path(path)}")


if __name__ == "__main__":  # pragma: no cover
    main()
