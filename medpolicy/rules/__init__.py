"""The kinds of rule a policy is made of, one module each.

Each module holds one kind of clause: how the checker checks it
(``check_*``), what it is compiled to from the checked syntax tree
(``compile_*``), how it applies to a claim or a year, and which explanation
events it emits (listed in :data:`medpolicy.explain.EVENT_KINDS`, worded in
:mod:`medpolicy.messages`).  The syntax of each kind is in
``grammar/medpolicy.lark`` and :mod:`medpolicy.ast`; each module's docstring
names it, and its checks.  :mod:`medpolicy.checker` calls the checks in
order, handing itself over as :class:`.checking.Checker`; the units never
import the checker.

* :mod:`.context`: what the compile functions share; :mod:`.checking`: what the checks share.
* :mod:`.coverage`: the policy year and when benefits start (waiting periods).
* :mod:`.choice`: which benefit takes a claim (priorities and ``when``).
* :mod:`.grouping`: visits grouped by day and institution, and their split.
* :mod:`.deductible`: deductibles per visit or admission, per year (accumulating, highest), none.
* :mod:`.ratio`: the ratio and its adjustments.
* :mod:`.caps`: per-visit caps, annual caps (private, per key, shared).
* :mod:`.benefit`: a benefit: the clauses above in order, and exclusions.
* :mod:`.payer`: banded payers after the basic fund (critical-illness insurance).
* :mod:`.premium`: the personal contribution.
"""
