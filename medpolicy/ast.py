"""The syntax tree of a ``.mpol`` file, as frozen attrs nodes.

The parser (:mod:`medpolicy.parser`) turns Lark's tree into these nodes at
once; nothing downstream sees Lark.  Every node has a ``span`` that is left
out of equality, so two parses of the same text in different places compare
equal.  Node fields are documented where they are declared.
"""
from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Optional

import attrs

from .span import Span, span_field

# ---------------------------------------------------------------- citations


@attrs.frozen
class Cite:
    """``cite SOURCE "section" "quote"``: the sentence a rule encodes."""

    source: str
    """Id of a ``source`` declaration."""
    section: str
    """Where in the document (section, table, row)."""
    quote: Optional[str] = None
    """The words of the document, verbatim."""
    span: Span = span_field()


# -------------------------------------------------------------- expressions


@attrs.frozen
class Expr:
    """Base class of expressions."""


@attrs.frozen
class Literal(Expr):
    """A typed constant."""

    kind: str
    """One of ``money``, ``percent``, ``months``, ``days``, ``date``, ``number``, ``text``, ``bool``."""
    value: object
    """``Decimal`` for money, percent (in points: ``70%`` is ``Decimal(70)``)
    and number; ``int`` for months and days; ``datetime.date``; ``str``; ``bool``."""
    span: Span = span_field()


@attrs.frozen
class Name(Expr):
    """A bare name: a parameter, a let, a list, a counter, an enum member."""

    name: str
    span: Span = span_field()


@attrs.frozen
class Attribute(Expr):
    """``target.name``: ``claim.level``, ``person.gap_years``, ``national.x``."""

    target: Expr
    name: str
    span: Span = span_field()


@attrs.frozen
class Call(Expr):
    """A built-in function call: ``min``, ``max``, ``known``."""

    function: str
    args: tuple[Expr, ...]
    span: Span = span_field()


@attrs.frozen
class Unary(Expr):
    """``-x`` (op ``neg``) or ``not x`` (op ``not``)."""

    op: str
    operand: Expr
    span: Span = span_field()


@attrs.frozen
class Binary(Expr):
    """Arithmetic: op is ``+``, ``-`` or ``*``."""

    op: str
    left: Expr
    right: Expr
    span: Span = span_field()


@attrs.frozen
class Compare(Expr):
    """op is one of ``== != < <= > >=``."""

    op: str
    left: Expr
    right: Expr
    span: Span = span_field()


@attrs.frozen
class Member(Expr):
    """``item in collection`` (or ``not in`` when ``negated``)."""

    item: Expr
    collection: Expr
    negated: bool = False
    span: Span = span_field()


@attrs.frozen
class Logic(Expr):
    """``and`` / ``or`` over two or more operands."""

    op: str
    operands: tuple[Expr, ...]
    span: Span = span_field()


@attrs.frozen
class IfElse(Expr):
    """``if condition then yes else no``."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = span_field()


@attrs.frozen
class Default(Expr):
    """``value otherwise fallback``: ``fallback`` when ``value`` is absent."""

    value: Expr
    fallback: Expr
    span: Span = span_field()


@attrs.frozen
class ListExpr(Expr):
    """``[a, b, c]``."""

    items: tuple[Expr, ...]
    span: Span = span_field()


@attrs.frozen
class LookupEntry:
    """One ``key: value`` row of a lookup table."""

    key: str
    """The key as written: a level id (string) or an enum member (name)."""
    value: Expr
    quoted: bool = False
    """Whether the key was written as a string (``"1"``) or a name (``pku``)."""
    span: Span = span_field()


@attrs.frozen
class Lookup(Expr):
    """``by key { k1: v1, k2: v2, else: v }``: a table by the key's value."""

    key: Expr
    entries: tuple[LookupEntry, ...]
    default: Optional[Expr] = None
    span: Span = span_field()


@attrs.frozen
class CaseBranch:
    """``when condition: value`` inside ``cases``."""

    condition: Expr
    value: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Cases(Expr):
    """``cases { when c1: v1  when c2: v2  else: v }``: the first that holds."""

    branches: tuple[CaseBranch, ...]
    default: Expr
    default_cite: Optional[Cite] = None
    span: Span = span_field()


# ------------------------------------------------------------- declarations


@attrs.frozen
class Decl:
    """Base class of top-level declarations."""


@attrs.frozen
class PolicyHeader:
    """``policy ID { title … jurisdiction … year A .. B collection … rounding … }``."""

    id: str
    title: str = ""
    jurisdiction: str = ""
    year: Optional[tuple[_dt.date, _dt.date]] = None
    """The policy year, both ends inclusive."""
    collection: Optional[tuple[Optional[_dt.date], _dt.date]] = None
    """The collection (enrolment) period; the start may be unstated."""
    collection_cite: Optional[Cite] = None
    rounding: Optional[tuple[str, Decimal]] = None
    """Rounding mode (``half_up``, ``half_even``, ``down``) and unit (``¥0.01``)."""
    rounding_cite: Optional[Cite] = None
    year_span: Optional[Span] = attrs.field(default=None, eq=False, repr=False)
    collection_span: Optional[Span] = attrs.field(default=None, eq=False, repr=False)
    span: Span = span_field()


@attrs.frozen
class ModuleHeader:
    """``module ID "title"``: a file of shared definitions, imported by policies."""

    id: str
    title: str
    span: Span = span_field()


@attrs.frozen
class Source(Decl):
    """``source ID "title" "file"``: a document rules cite."""

    id: str
    title: str
    file: Optional[str] = None
    span: Span = span_field()


@attrs.frozen
class Import(Decl):
    """``import "path/inside/policies/root.mpol" as alias``."""

    path: str
    alias: str
    span: Span = span_field()


@attrs.frozen
class Level(Decl):
    """One institution level: id (``"3A"``) and display name."""

    id: str
    name: str
    span: Span = span_field()


@attrs.frozen
class Levels(Decl):
    levels: tuple[Level, ...]
    span: Span = span_field()


@attrs.frozen
class Condition(Decl):
    """One condition: lower_snake id and display name."""

    id: str
    name: str
    span: Span = span_field()


@attrs.frozen
class Conditions(Decl):
    conditions: tuple[Condition, ...]
    span: Span = span_field()


@attrs.frozen
class Category(Decl):
    """One claim category (药品, 定点零售药店购药, 生育 …): lower_snake id and display name."""

    id: str
    name: str
    span: Span = span_field()


@attrs.frozen
class Categories(Decl):
    """``categories { ID "name" … }``: the kinds of claim the policy names, read as ``claim.category``."""

    categories: tuple[Category, ...]
    span: Span = span_field()


@attrs.frozen
class ListDecl(Decl):
    """``list ID "name" = [a, b]``: a named list, usually of conditions."""

    id: str
    title: Optional[str]
    items: ListExpr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Param(Decl):
    """``param ID "label" = expr``, or ``param ID "label": type unstated``
    for a number the document mentions without stating it."""

    id: str
    label: Optional[str]
    value: Optional[Expr]
    """None when unstated."""
    declared_type: Optional[str] = None
    """Only for unstated parameters: ``money``, ``percent``, …"""
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Let(Decl):
    """``let ID "label" = expr``: a named derived value."""

    id: str
    label: Optional[str]
    value: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Counter(Decl):
    """``counter ID "label"``: visits counted over the year, shared by benefits."""

    id: str
    label: str
    span: Span = span_field()


@attrs.frozen
class History(Decl):
    """``history ID "label" = count|sum EXPR|last EXPR [where COND]``: a query over the
    person's earlier settled claims of the year, each named ``earlier`` inside it."""

    id: str
    label: str
    measure: str
    """``count``, ``sum`` or ``last``."""
    value: Optional[Expr] = None
    """What ``sum`` adds up or ``last`` gives (None for ``count``)."""
    where: Optional[Expr] = None
    """Which earlier claims it reads (None: every one)."""
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class CapDecl(Decl):
    """``cap ID "label" AMOUNT per year``: an annual fund limit benefits share."""

    id: str
    label: str
    amount: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class DeductiblePool(Decl):
    """``deductible ID "label" AMOUNT per year accumulating|highest``: one deductible that every
    benefit writing ``deductible per year ID`` charges toward (outpatient and emergency care
    meeting one 起付线, each at its own ratio)."""

    id: str
    label: str
    amount: Expr
    mode: str
    """``accumulating`` or ``highest``, as for a benefit's own yearly deductible."""
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Measure(Decl):
    """``measure ID "label"``: a year-to-date amount that banded ratios are measured on.

    It starts the year at zero; every visit of a benefit whose ratio is ``banded over`` it adds
    the visit's amount above the deductible, after the bands have split that amount."""

    id: str
    label: str
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Coverage(Decl):
    """``coverage starts DATE "reason"``: benefits start no earlier than this."""

    starts: Expr
    reason: str
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class CoverageEnd(Decl):
    """``coverage ends DATE "reason"``: a person's benefits run until this day, which may
    be after the policy year ends (e.g. a graduate's cover to the end of the calendar year)."""

    ends: Expr
    reason: str
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Adjustment(Decl):
    """A ratio adjustment applied to several benefits."""

    id: str
    label: str
    benefits: Optional[tuple[Name, ...]]
    """None means every benefit."""
    when: Optional[Expr]
    ratio: Expr
    """Percentage points added to the ratio (negative lowers it)."""
    cite: Optional[Cite] = None
    span: Span = span_field()


# Benefit clauses ----------------------------------------------------------


@attrs.frozen
class Deductible:
    """How a benefit's deductible is charged.

    ``mode`` is ``visit`` or ``admission`` (every visit owes ``amount``),
    ``accumulating`` (the year's claims pay toward ``amount`` until met),
    ``highest`` (a claim owes only what its ``amount`` exceeds the highest
    amount charged earlier in the year) or ``none`` (``no deductible``).
    """

    mode: str
    amount: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class RatioAdjust:
    """``adjust "label" by POINTS when CONDITION`` inside a benefit."""

    label: str
    points: Expr
    when: Optional[Expr] = None
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class AnnualCap:
    """``annual cap AMOUNT [for each KEY] [when COND]`` or ``annual cap SHARED_CAP [when COND]``."""

    amount: Expr
    per: Optional[Expr] = None
    """A key expression: one limit per value (e.g. per condition)."""
    when: Optional[Expr] = None
    """The claims this cap limits (None: every claim of the benefit); several guarded clauses
    choose a cap by a condition."""
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Includes:
    """``includes CARE care at the same institution up to N days before``: claims of that care
    type at the same institution, from N days before a claim this benefit takes to its day, are
    settled with it (e.g. emergency care just before an admission)."""

    care: Name
    days: int
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Benefit(Decl):
    """A benefit: which claims it covers and how it pays them."""

    id: str
    title: str
    priority: Optional[int] = None
    """The highest-priority benefit whose ``when`` holds takes the claim."""
    when: Optional[Expr] = None
    when_cite: Optional[Cite] = None
    grouping: bool = False
    """Same day + same institution claims count as one visit."""
    grouping_cite: Optional[Cite] = None
    includes: Optional["Includes"] = None
    """Earlier claims of another care type at the same institution paid with the claim it takes."""
    counts: tuple[Name, ...] = ()
    """Counters this benefit's visits add to."""
    deductible: Optional[Deductible] = None
    ratio: Optional[Expr] = None
    ratio_cite: Optional[Cite] = None
    adjustments: tuple[RatioAdjust, ...] = ()
    visit_cap: Optional[Expr] = None
    visit_cap_cite: Optional[Cite] = None
    annual_caps: tuple[AnnualCap, ...] = ()
    pays: Optional["Pays"] = None
    """A fixed amount or quota paid instead of deductible × ratio."""
    ratio_bands: Optional["RatioBands"] = None
    """A ratio given by bands over a year-to-date measure, instead of ``ratio``."""
    excluded: Optional[str] = None
    """When set, the benefit pays nothing, for this reason."""
    excluded_cite: Optional[Cite] = None
    span: Span = span_field()


# Critical illness ---------------------------------------------------------


@attrs.frozen
class Pays:
    """``pays AMOUNT [even above covered]``: the basic fund pays AMOUNT for a visit.

    Without ``even above covered`` the payment is at most the visit's covered amount (a quota
    paid at actual cost when the cost is lower, 定额); with it the fund pays the whole amount
    (an allowance, 定额补助), and what it pays above the bill is the patient's to receive."""

    amount: Expr
    above_covered: bool = False
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class RatioBands:
    """``ratio banded over MEASURE { band LOW .. HIGH pays RATE … }`` (分段累进)."""

    measure: Name
    bands: tuple["Band", ...]
    span: Span = span_field()


@attrs.frozen
class Band:
    """``band LOW .. HIGH pays RATE`` (``high`` None: ``band above LOW``)."""

    low: Expr
    high: Optional[Expr]
    rate: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class CITable:
    """One table of the second payer, for the people its selector admits."""

    title: str
    when: Optional[Expr]
    """None for ``otherwise``."""
    deductible: Optional[Expr] = None
    deductible_cite: Optional[Cite] = None
    measure: str = "absolute"
    """``absolute``: band bounds are cumulative burden; ``above_deductible``:
    bounds are counted from the deductible."""
    bands: tuple[Band, ...] = ()
    cap: Optional[Expr] = None
    cap_cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class CriticalIllness(Decl):
    """A payer after the basic fund, on the personal compliant burden left before it:
    ``critical_illness "title" {…}`` or ``payer ID "title" {…}``."""

    title: str
    covers: Optional[Expr]
    covers_cite: Optional[Cite]
    tables: tuple[CITable, ...]
    id: str = attrs.field(default="critical_illness", kw_only=True)
    """``critical_illness`` for the ``critical_illness`` declaration; a ``payer``'s own id otherwise."""
    span: Span = span_field()


# Premium ------------------------------------------------------------------


@attrs.frozen
class Unstated(Expr):
    """The document states no amount here."""

    span: Span = span_field()


@attrs.frozen
class PremiumCase:
    when: Optional[Expr]
    """None for ``else``."""
    value: Expr
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class PremiumItem:
    """One line of the personal contribution, e.g. basic premium, long-term care."""

    title: str
    when: Optional[Expr]
    cases: tuple[PremiumCase, ...]
    span: Span = span_field()


@attrs.frozen
class Premium(Decl):
    items: tuple[PremiumItem, ...]
    span: Span = span_field()


# Settlement by hand -------------------------------------------------------


@attrs.frozen
class Material:
    """``material "text" [only when EXPR]``: one document a student hands in."""

    text: str
    when: Optional[Expr] = None
    """Needed only for the claims this admits (None: always)."""
    cite: Optional[Cite] = None
    span: Span = span_field()


@attrs.frozen
class Settlement(Decl):
    """``settlement ID "title" {…}``: what a student must do to be reimbursed by hand
    (``settlement: manual`` claims) for the claims its ``when`` admits."""

    id: str
    title: str
    when: Optional[Expr] = None
    """Which claims this path is for (None: every claim settled by hand)."""
    when_cite: Optional[Cite] = None
    materials: tuple[Material, ...] = ()
    """In the order the document lists them."""
    submit: Optional[str] = None
    """Where (or how) the materials are handed in."""
    submit_cite: Optional[Cite] = None
    deadline: Optional[Expr] = None
    """The last day to hand them in: a date, e.g. ``claim.date + 6 months`` or ``policy.end``."""
    deadline_cite: Optional[Cite] = None
    takes: Optional[str] = None
    """How long reimbursement takes, as the document says it."""
    takes_cite: Optional[Cite] = None
    span: Span = span_field()


# Files --------------------------------------------------------------------


@attrs.frozen
class File:
    """One parsed ``.mpol`` file: a policy or a module."""

    header: PolicyHeader | ModuleHeader
    decls: tuple[Decl, ...]
    path: str = attrs.field(default="", eq=False)
    """The display path of the file."""

    @property
    def is_module(self) -> bool:
        return isinstance(self.header, ModuleHeader)
