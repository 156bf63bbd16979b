"""Wilson intervals, the above/below rule and Cohen's kappa against values worked out by hand."""

import pytest

from dashboards import stats


@pytest.mark.parametrize(
    "k, n, low, high",
    [
        # Published examples (Newcombe 1998, table I, method 3), as percentages.
        (81, 263, 25.53, 36.62),
        (15, 148, 6.24, 16.05),
        (0, 20, 0.0, 16.11),
        (1, 29, 0.61, 17.18),
        (29, 29, 88.30, 100.0),
    ],
)
def test_wilson_matches_published_intervals(k, n, low, high):
    got_low, got_high = stats.wilson(k, n)
    assert got_low == pytest.approx(low, abs=0.01)
    assert got_high == pytest.approx(high, abs=0.01)


def test_wilson_is_none_without_audits():
    assert stats.wilson(0, 0) is None


@pytest.mark.parametrize(
    "interval, national, flag",
    [
        ((60.0, 80.0), 55.0, "above"),
        ((30.0, 50.0), 55.0, "below"),
        ((50.0, 70.0), 55.0, None),  # straddles the national figure: no marker
        ((55.0, 70.0), 55.0, None),  # touching is not "wholly above"
        (None, 55.0, None),
        ((60.0, 80.0), None, None),
    ],
)
def test_flag_only_when_the_interval_lies_wholly_on_one_side(interval, national, flag):
    assert stats.compare_with_national(interval, national) == flag


def test_exact_agreement():
    assert stats.exact_agreement({(3, 3): 2, (3, 4): 1, (4, 4): 1}) == 75.0
    assert stats.exact_agreement({}) is None


def test_linear_weighted_kappa_worked_example():
    # 4 moderations: (3,3) x2, (3,4), (4,4). Linear weight of a one-step miss = 1 - 1/3 = 2/3.
    # Observed weighted agreement = (2 + 2/3 + 1) / 4 = 11/12.
    # Marginals: auditor 3: 3/4, 4: 1/4; moderator 3: 1/2, 4: 1/2.
    # Expected = 3/4*1/2*1 + 3/4*1/2*2/3 + 1/4*1/2*2/3 + 1/4*1/2*1 = 0.375+0.25+0.0833+0.125 = 5/6.
    # Kappa = (11/12 - 5/6) / (1 - 5/6) = (1/12) / (1/6) = 0.5.
    assert stats.weighted_kappa({(3, 3): 2, (3, 4): 1, (4, 4): 1}) == pytest.approx(0.5)


def test_linear_weights_credit_near_misses_more_than_far_ones():
    near = stats.weighted_kappa({(1, 1): 5, (2, 2): 5, (3, 3): 5, (4, 4): 5, (2, 3): 3, (3, 2): 3})
    far = stats.weighted_kappa({(1, 1): 5, (2, 2): 5, (3, 3): 5, (4, 4): 5, (1, 4): 3, (4, 1): 3})
    assert near > far


def test_kappa_is_one_for_perfect_agreement_and_undefined_without_spread():
    assert stats.weighted_kappa({(1, 1): 3, (2, 2): 4, (4, 4): 1}) == pytest.approx(1.0)
    assert stats.weighted_kappa({(3, 3): 7}) is None
    assert stats.weighted_kappa({}) is None


def test_kappa_is_zero_when_agreement_is_what_chance_gives():
    # Independent margins: every auditor grade spread evenly over the moderator's grades.
    table = {(a, m): 1 for a in (1, 2, 3, 4) for m in (1, 2, 3, 4)}
    assert stats.weighted_kappa(table) == pytest.approx(0.0)


def test_linear_weighted_kappa_matches_the_disagreement_form_on_an_uneven_table():
    # Cohen's (1968) other form: kappa_w = 1 - sum(|i-j| * observed) / sum(|i-j| * expected by chance),
    # written out over raw pairs (auditor, moderator) rather than the table the code reads.
    pairs = [(4, 4)] * 3 + [(3, 3)] * 9 + [(3, 2)] * 4 + [(2, 2)] * 5 + [(2, 1)] * 2 + [(1, 1)] + [(4, 2), (1, 3)]
    n = len(pairs)
    observed = sum(abs(a - m) for a, m in pairs) / n
    auditor = [a for a, _ in pairs]
    moderator = [m for _, m in pairs]
    by_chance = sum(abs(a - m) * auditor.count(a) * moderator.count(m) for a in range(1, 5) for m in range(1, 5)) / n**2
    by_hand = 1 - observed / by_chance
    table = {}
    for pair in pairs:
        table[pair] = table.get(pair, 0) + 1
    assert stats.weighted_kappa(table) == pytest.approx(by_hand)
    assert 0 < by_hand < 1
