"""Thematic audit programmes: define one, draw its case files by rule, confirm to create the audits.

The draw (documented here because quality admins and the command rely on it):

1. **Eligible cases**: in the programme's regions (all, when none are chosen); open at
   some time in the window (received on or before its end, not closed before its start);
   every filter holds (FILTER_KEYS); no audit of the case is open (scheduled, in progress
   or submitted); and, unless the programme is a re-audit, no audit of the case completed
   in the six months before the draw.
2. **Size**: `size`, or `share` of the eligible cases rounded half up (at least 1), never
   more than there are.
3. **Strata**: the size is shared between regions in proportion to their eligible cases,
   by largest remainder (Hamilton): each region gets the whole part of its share, and
   the cases left over go to the largest fractional parts (ties by region code).
4. **Order**: within a region, cases sorted by reference are shuffled by a generator
   seeded with "<seed>-<region code>", so the same seed and caseload give the same draw,
   and adding a region to the scope does not change another region's cases.
5. **Auditor**: an active auditor whose home region is the case's region and who is not
   the case's allocated practitioner; the one with the fewest open audits (counting the
   ones this draw hands out), ties drawn by the same generator. A case with no such
   auditor is passed over (and reported) and the next case of its region drawn; a region
   that runs out is reported short rather than topped up from another region, so the
   strata stay honest.

Reads are set-based: a preview runs the same fixed number of queries for any caseload.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from audits.models import UNFINISHED_STATUSES, Audit, AuditStatus, AuditTemplate, Programme
from cases.models import AgeBand, ApplicationType, Case, Child, LawType
from organisation.models import Region
from organisation.roles import Role

RECENT_MONTHS = 6
YES_NO = {"yes": True, "no": False}
CHILD_TEXT_FACTS = ("ethnicity", "disability", "religion", "gender_identity")

# key -> what it means (README and --help print these).
FILTER_KEYS = {
    "law_type": "public or private",
    "application_type": "one of " + ", ".join(ApplicationType.values),
    "domestic_abuse": "yes or no: domestic abuse alleged in the case",
    "closed_in_window": "yes (closed within the window) or no (open at the window's end)",
    "team": "a team code",
    "child_age_band": "a child in the case in this age band: " + ", ".join(AgeBand.values),
    **{
        f"child_{fact}": (
            f"a child in the case with this {fact.replace('_', ' ')} (any letter case); 'any' for any recorded"
        )
        for fact in CHILD_TEXT_FACTS
    },
}


def filters_help() -> str:
    return "; ".join(f"{key}={meaning}" for key, meaning in FILTER_KEYS.items())


def _check_value(key: str, value: str) -> str | None:
    """The reason a filter value is bad, or None."""
    if not value:
        return f"give a value for {key}"
    choices = {
        "law_type": LawType.values,
        "application_type": ApplicationType.values,
        "domestic_abuse": list(YES_NO),
        "closed_in_window": list(YES_NO),
        "child_age_band": AgeBand.values,
    }.get(key)
    if choices is not None and value not in choices:
        return f"'{value}' is not a {key}; use one of {', '.join(choices)}"
    return None


def clean_filters(filters: dict[str, str]) -> dict[str, str]:
    """Check every key and value; raise one ValidationError listing every problem."""
    problems, cleaned = [], {}
    for key, raw in filters.items():
        value = (raw or "").strip()
        if key not in FILTER_KEYS:
            problems.append(f"unknown filter '{key}' (known: {', '.join(FILTER_KEYS)})")
            continue
        # Codes and children's recorded facts keep their spelling; choices are lower case.
        keeps_case = key == "team" or (key.startswith("child_") and key != "child_age_band")
        value = value if keeps_case else value.lower()
        reason = _check_value(key, value)
        if reason:
            problems.append(reason)
            continue
        cleaned[key] = value
    if problems:
        raise ValidationError(problems)
    return cleaned


def parse_filter_args(pairs: list[str]) -> dict[str, str]:
    """`KEY=VALUE` strings from the command line into a checked dict."""
    raw, problems = {}, []
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep:
            problems.append(f"'{pair}' is not KEY=VALUE")
        elif key.strip() in raw:
            problems.append(f"filter '{key.strip()}' given twice")
        else:
            raw[key.strip()] = value
    if problems:
        raise ValidationError(problems)
    return clean_filters(raw)


def _child_q(key: str, value: str) -> Q:
    fact = key.removeprefix("child_")
    children = Child.objects.filter(case=OuterRef("pk"))
    if fact == "age_band":
        children = children.filter(age_band=value)
    elif value.lower() == "any":
        children = children.exclude(**{fact: ""})
    else:
        children = children.filter(**{f"{fact}__iexact": value})
    return Q(Exists(children))


def filters_q(filters: dict[str, str], window_start: datetime.date, window_end: datetime.date) -> Q:
    """A Q over Case for the programme's filters (already cleaned)."""
    q = Q()
    for key, value in filters.items():
        if key == "law_type":
            q &= Q(law_type=value)
        elif key == "application_type":
            q &= Q(application_type=value)
        elif key == "domestic_abuse":
            q &= Q(domestic_abuse_alleged=YES_NO[value])
        elif key == "closed_in_window":
            closed = Q(closed_on__gte=window_start, closed_on__lte=window_end)
            q &= closed if YES_NO[value] else ~closed & (Q(closed_on__isnull=True) | Q(closed_on__gt=window_end))
        elif key == "team":
            q &= Q(team__code=value)
        else:
            q &= _child_q(key, value)
    return q


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the last day of a shorter month)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def hamilton(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Share `total` between keys in proportion to weights, by largest remainder (ties by key)."""
    whole = sum(weights.values())
    if not whole:
        return dict.fromkeys(weights, 0)
    quotas = {k: Decimal(total) * w / whole for k, w in weights.items()}
    shares = {k: int(q) for k, q in quotas.items()}
    left = total - sum(shares.values())
    for k in sorted(weights, key=lambda k: (-(quotas[k] - shares[k]), k))[:left]:
        shares[k] += 1
    return shares


def target_size(programme: Programme, eligible: int) -> int:
    if programme.size is not None:
        return min(programme.size, eligible)
    wanted = (Decimal(eligible) * programme.share).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(max(int(wanted), 1), eligible) if eligible else 0


@dataclass(frozen=True)
class Pick:
    case: Case
    auditor: object


@dataclass
class Stratum:
    region: Region
    eligible: int
    wanted: int
    picks: list[Pick] = field(default_factory=list)
    passed_over: list[Case] = field(default_factory=list)  # no eligible auditor

    @property
    def short(self) -> int:
        return self.wanted - len(self.picks)


@dataclass
class Draw:
    programme: Programme
    today: datetime.date
    eligible: int
    size: int
    strata: list[Stratum]

    @property
    def picks(self) -> list[Pick]:
        return [p for s in self.strata for p in s.picks]

    @property
    def short(self) -> int:
        return sum(s.short for s in self.strata)

    @property
    def load(self) -> dict:
        """Audits this draw gives each auditor."""
        counts: dict = defaultdict(int)
        for p in self.picks:
            counts[p.auditor] += 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))))

    @property
    def fingerprint(self) -> str:
        """Names this exact draw: a confirmation checks the caseload did not change after the preview."""
        text = ";".join(f"{p.case.pk}:{p.auditor.pk}" for p in self.picks)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def eligible_cases(programme: Programme, *, today: datetime.date, region_ids: list[int] | None):
    open_audit = Audit.objects.filter(case=OuterRef("pk"), status__in=UNFINISHED_STATUSES)
    qs = (
        Case.objects.filter(received_on__lte=programme.window_end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=programme.window_start))
        .filter(filters_q(programme.filters, programme.window_start, programme.window_end))
        .exclude(Exists(open_audit))
    )
    if region_ids:
        qs = qs.filter(region_id__in=region_ids)
    if programme.reaudit_of_id is None:
        recent = Audit.objects.filter(
            case=OuterRef("pk"),
            status=AuditStatus.COMPLETED,
            completed_on__gte=months_before(today, RECENT_MONTHS),
        )
        qs = qs.exclude(Exists(recent))
    return qs


def _auditors_by_region(region_ids) -> tuple[dict[int, list], dict[int, int]]:
    """Active auditors by home region, with their open audits (one query)."""
    by_region, load = defaultdict(list), {}
    for auditor in (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.AUDITOR, region_id__in=region_ids)
        .annotate(
            open_audits=Count("audits_to_do", filter=Q(audits_to_do__status__in=UNFINISHED_STATUSES), distinct=True)
        )
        .order_by("pk")
    ):
        by_region[auditor.region_id].append(auditor)
        load[auditor.pk] = auditor.open_audits
    return by_region, load


def _draw_stratum(stratum: Stratum, cases: list, auditors: list, load: dict, seed: int) -> None:
    rng = random.Random(f"{seed}-{stratum.region.code}")
    for case in rng.sample(cases, len(cases)):
        if len(stratum.picks) == stratum.wanted:
            break
        candidates = [a for a in auditors if a.pk != case.practitioner_id]
        if not candidates:
            stratum.passed_over.append(case)
            continue
        fewest = min(load[a.pk] for a in candidates)
        auditor = rng.choice([a for a in candidates if load[a.pk] == fewest])
        load[auditor.pk] += 1
        stratum.picks.append(Pick(case, auditor))


@dataclass(frozen=True)
class _Candidate:
    """An eligible case as the draw needs it (a national caseload is read as narrow tuples)."""

    pk: int
    reference: str
    region_id: int
    practitioner_id: int | None


def programme_draw(*, programme: Programme, today: datetime.date | None = None) -> Draw:
    """The draw for a programme (reads only: the preview and the confirmation both call it).

    Five queries whatever the caseload: the scope, the eligible cases (narrow rows), their
    regions, the auditors with their load, and the drawn cases themselves.
    """
    today = today or timezone.localdate()
    region_ids = [r.pk for r in programme.regions.all()] or None
    by_region: dict[int, list[_Candidate]] = defaultdict(list)
    for row in (
        eligible_cases(programme, today=today, region_ids=region_ids)
        .order_by("reference")
        .values_list("pk", "reference", "region_id", "practitioner_id")
    ):
        by_region[row[2]].append(_Candidate(*row))
    regions = sorted(Region.objects.filter(pk__in=list(by_region)), key=lambda r: r.code)
    eligible = sum(len(v) for v in by_region.values())
    size = target_size(programme, eligible)
    wanted = hamilton(size, {r.code: len(by_region[r.pk]) for r in regions})
    auditors, load = _auditors_by_region([r.pk for r in regions])
    strata = []
    for region in regions:
        stratum = Stratum(region=region, eligible=len(by_region[region.pk]), wanted=wanted[region.code])
        _draw_stratum(stratum, by_region[region.pk], auditors[region.pk], load, programme.seed)
        strata.append(stratum)
    _load_cases(strata)
    return Draw(programme=programme, today=today, eligible=eligible, size=size, strata=strata)


def _load_cases(strata: list[Stratum]) -> None:
    """Swap the drawn candidates for their Case rows (one query for the few drawn)."""
    pks = [p.case.pk for s in strata for p in s.picks] + [c.pk for s in strata for c in s.passed_over]
    cases = Case.objects.select_related("region", "practitioner").in_bulk(pks) if pks else {}
    for stratum in strata:
        stratum.picks = [Pick(cases[p.case.pk], p.auditor) for p in stratum.picks]
        stratum.passed_over = [cases[c.pk] for c in stratum.passed_over]


@transaction.atomic
def programme_create(*, by, regions=(), **fields) -> Programme:
    """Define a programme (not yet drawn). Filters are checked; the template must be current."""
    fields["filters"] = clean_filters(fields.get("filters") or {})
    programme = Programme(created_by=by, **fields)
    if programme.template_id and not programme.template.is_current:
        raise ValidationError({"template": "Choose the current version of the template."})
    earlier = programme.reaudit_of
    if earlier is not None and earlier.theme.strip().lower() != (programme.theme or "").strip().lower():
        raise ValidationError(
            {
                "reaudit_of": (
                    f"A re-audit repeats a programme of the same theme: “{earlier.name}” is about {earlier.theme}."
                )
            }
        )
    programme._history_user = by
    programme.full_clean()
    programme.save()
    programme.regions.set(regions)
    return programme


@transaction.atomic
def programme_confirm(*, programme: Programme, by, today: datetime.date | None = None, fingerprint: str | None = None):
    """Draw and create the programme's audits, once. Returns (draw, created audits).

    A programme already confirmed is left alone (the draw is idempotent by name). When a
    fingerprint from a preview is given and today's draw differs (the caseload or the
    auditors changed), nothing is created and the caller shows the new draw.
    """
    # Locked: two confirmations at once (two tabs, or the page and the command) would both
    # see an unconfirmed programme and create its audits twice; the second waits here.
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if programme.confirmed_at is not None:
        raise ValidationError(f"The programme “{programme.name}” was already confirmed: its audits exist.")
    template = AuditTemplate.objects.filter(slug=programme.template.slug, is_current=True).first()
    if template is None:
        raise ValidationError(f"There is no current version of the '{programme.template.slug}' template.")
    draw = programme_draw(programme=programme, today=today)
    if fingerprint is not None and fingerprint != draw.fingerprint:
        raise ValidationError(
            "The caseload or the auditors changed after the preview, so the draw is different. "
            "Check the new draw below and confirm again."
        )
    if not draw.picks:
        raise ValidationError(
            f"No case file could be drawn ({draw.eligible} eligible, none with an auditor of its region free "
            "of the case): nothing was created. Widen the window, the regions or the filters."
            if draw.eligible
            else "No case is eligible for this programme: nothing was created. Widen the window, the regions "
            "or the filters."
        )
    audits = []
    for pick in draw.picks:
        audit = Audit(
            case=pick.case,
            template=template,
            auditor=pick.auditor,
            due_on=programme.due_on,
            status=AuditStatus.SCHEDULED,
            programme=programme,
            created_by=by,
        )
        audit.clean()  # nobody audits a case they are allocated to (the draw already ensures it)
        audits.append(audit)
    created = bulk_create_with_history(
        audits, Audit, default_user=by, default_change_reason=f"Programme {programme.name}"
    )
    programme.confirmed_at = timezone.now()
    programme._history_user = by
    programme.save(update_fields=["confirmed_at"])
    return draw, created
