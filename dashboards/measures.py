"""The seeds' own measures as dashboard tables: yes/no criteria (% yes with n), diversity
identified and analysed, feedback by respondent type, and grades by child characteristic with
small groups withheld. Built from the snapshot selectors; no queries of their own."""

from . import selectors
from .models import CharacteristicSnapshot
from .tables import GOB_COLUMN, Cell, Column, Table, gob_cell, mean_cell, pct_cell, pct_column

# Groups of fewer audits than this are withheld, so no child can be singled out.
SUPPRESS_BELOW = 5
WITHHELD = "Withheld (fewer than 5 audits)"
RESPONDENTS = [
    ("child", "Children and young people"),
    ("parent_carer", "Parents and carers"),
    ("judge", "Judges and magistrates"),
    ("professional", "Other professionals"),
]


def _criterion_cell(code: str, counts: dict, drill) -> Cell:
    """'% yes (k of n)', linked to the audits answered yes, and "all n answered" to those answered."""
    yes, answered = counts.get("yes", 0), counts.get("answered", 0)
    cell = pct_cell(yes, answered)
    if drill is not None and drill.allowed and answered:
        cell.href = drill.href(criterion=code, criterion_answer="yes")
        cell.more = ((f"All {answered} answered", drill.href(criterion=code), answered),)
    return cell


def yes_no_table(scopes: list[tuple[str, dict[str, dict]]], texts: dict[str, str], links=None) -> Table:
    """One row per yes/no criterion; a column per scope, each '% yes (k of n)'.

    `scopes`: [(name, {code: counts})]; `texts`: {code: criterion text} of the yes/no criteria;
    `links` {scope name: Drill} links each figure to the audits behind it.
    """
    table = Table(
        "yes_no",
        "Yes or no criteria: share of audits answered yes",
        [Column("Criterion", numeric=False)] + [pct_column(f"{name}: yes") for name, _ in scopes],
        empty="No yes or no criterion was answered in this period.",
    )
    for code, text in sorted(texts.items(), key=lambda item: item[1].casefold()):
        row = [Cell(text, csv=(text,))]
        for name, by_code in scopes:
            row.append(_criterion_cell(code, by_code.get(code) or {}, (links or {}).get(name)))
        table.rows.append(row)
    return table


def diversity_table(scopes: list[tuple[str, dict | None]]) -> Table:
    """Diverse needs identified (graded Meets standard or better on "diverse-needs") and, of those,
    analysed well (graded Good or better)."""
    table = Table(
        "diversity",
        "The child's diverse and unique needs: identified, and where identified analysed well",
        [Column("Scope", numeric=False), pct_column("Identified"), pct_column("Where identified, good analysis")],
    )
    for name, counts in scopes:
        d = selectors.diversity(counts)
        table.rows.append(
            [
                Cell(name),
                pct_cell(d["identified"], d["graded"]),
                pct_cell(d["good_analysis"], d["identified"]),
            ]
        )
    return table


def respondent_table(scopes: list[tuple[str, dict[str, dict]]], links=None) -> Table:
    """Feedback by respondent type: how many, mean helpfulness, % said their worker helped, % understood.
    `links` {scope name: drill with .href(**filters)} links each count to the feedback behind it."""
    table = Table(
        "respondents",
        "Feedback by who gave it, received in the period",
        [
            Column("Scope", numeric=False),
            Column("Who", numeric=False),
            Column("Feedback received"),
            Column("How helpful (mean, 0 to 10)", csv=("Helpfulness: mean", "Helpfulness: total", "Answers")),
            pct_column("Said their worker helped"),
            pct_column("Understood the recommendation"),
        ],
    )
    empty = dict.fromkeys(selectors.FEEDBACK_COUNTS, 0)
    for name, by_type in scopes:
        drill = (links or {}).get(name)
        for key, label in RESPONDENTS:
            c = by_type.get(key, empty)
            href = drill.href(respondent=key) if drill is not None and c["count"] else ""
            table.rows.append(
                [
                    Cell(name),
                    Cell(label),
                    Cell(str(c["count"]), csv=(c["count"],), href=href),
                    mean_cell(c["helpfulness_sum"], c["helpfulness_count"]),
                    pct_cell(c["worker_helped_yes"], c["worker_helped_count"]),
                    pct_cell(c["understood_yes"], c["understood_count"]),
                ]
            )
    return table


def _withheld_gob(counts: dict) -> tuple[Cell, Cell]:
    audits = counts["audits"]
    if audits < SUPPRESS_BELOW:
        return Cell(WITHHELD, csv=("",)), Cell(WITHHELD, csv=("", "", "", "", ""))
    return Cell(str(audits), csv=(audits,)), gob_cell(counts["good_or_better"], audits)


def characteristic_table(totals: dict) -> Table:
    """Grades by the children's ethnicity, disability, age band and gender identity. Any group of
    fewer than 5 audits shows neither its count nor its percentage."""
    table = Table(
        "characteristics",
        "Audits by a characteristic of the children on the case",
        [Column("Characteristic", numeric=False), Column("Group", numeric=False), Column("Audits"), GOB_COLUMN],
        empty="No audited case had its children's characteristics recorded in this period.",
    )
    labels = dict(CharacteristicSnapshot.Characteristic.choices)
    for (characteristic, value), counts in totals.items():
        audits_cell, gob = _withheld_gob(counts)
        table.rows.append(
            [Cell(labels.get(characteristic, characteristic)), Cell(value or "Not recorded"), audits_cell, gob]
        )
    return table


def seeds_tables(
    scopes: list[tuple[str, dict]], characteristics: dict, feedback_links=None, audit_links=None
) -> list[Table]:
    """Every seed-measure table for a page. `scopes` name which counts each column shows:
    [(name, {"criteria": scope_criteria(...), "feedback": {respondent: counts}})]; `audit_links`
    {scope name: Drill} links the yes/no figures to the audits behind them."""
    texts = {}
    for _, scope in scopes:
        for code, entry in scope["criteria"].items():
            if entry.get("kind") == "yes_no":
                texts[code] = entry["text"]
    return [
        yes_no_table(
            [(name, {c: e["counts"] for c, e in s["criteria"].items()}) for name, s in scopes], texts, audit_links
        ),
        diversity_table(
            [(name, (s["criteria"].get(selectors.DIVERSITY_CODE) or {}).get("counts")) for name, s in scopes]
        ),
        respondent_table([(name, s["feedback"]) for name, s in scopes], feedback_links),
        characteristic_table(characteristics),
    ]


def scope_criteria(by_code: dict, key=None) -> dict[str, dict]:
    """{code: {"kind", "text", "counts"}} from `selectors.criteria_by_code`: one region's counts
    (key = region id), or the total (key None)."""
    out = {}
    for code, entry in by_code.items():
        counts = entry["total"] if key is None else entry["regions"].get(key)
        if counts is not None:
            out[code] = {"kind": entry["kind"], "text": entry["text"], "counts": counts}
    return out
