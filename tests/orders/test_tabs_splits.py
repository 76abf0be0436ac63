"""Split bills: 1/N and by lines add up to the tab exactly, VAT included (hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.core.errors import DomainError
from apps.core.money import vat_split
from apps.orders.splits import BillLine, split_by_lines, split_even

TAX_TYPES = st.sampled_from(["TAXABLE", "TAX_FREE"])


@st.composite
def tabs(draw):
    """Random tab lines (some voided in part), with the tab's totals as the tab computes them."""
    lines = []
    for index in range(draw(st.integers(1, 12))):
        net = draw(st.integers(0, 300_000))
        tax_type = draw(TAX_TYPES)
        lines.append(BillLine(id=index + 1, net=net, tax_type=tax_type))
        if net and draw(st.booleans()):
            voided = draw(st.integers(0, net))
            lines.append(BillLine(id=1000 + index, net=-voided, tax_type=tax_type, void_of=index + 1))
    total = sum(line.net for line in lines)
    taxable = sum(line.net for line in lines if line.tax_type == "TAXABLE")
    return lines, total, taxable, vat_split(taxable)[1]


@settings(max_examples=300, deadline=None)
@given(tab=tabs(), parts=st.integers(2, 20))
def test_even_split_adds_up_with_exact_vat(tab, parts):
    _lines, total, taxable, vat = tab
    if total < parts:
        with pytest.raises(DomainError):
            split_even(total=total, taxable=taxable, vat=vat, parts=parts)
        return
    split = split_even(total=total, taxable=taxable, vat=vat, parts=parts)
    assert len(split) == parts
    assert sum(p.amount for p in split) == total
    assert sum(p.taxable for p in split) == taxable
    assert sum(p.vat for p in split) == vat
    assert all(p.amount > 0 and 0 <= p.vat <= p.taxable <= p.amount for p in split)
    # 1/N: the parts differ by at most a won
    assert max(p.amount for p in split) - min(p.amount for p in split) <= 1


@settings(max_examples=300, deadline=None)
@given(data=st.data(), tab=tabs())
def test_split_by_lines_adds_up_with_exact_vat(data, tab):
    lines, total, taxable, vat = tab
    ids = [line.id for line in lines if line.void_of is None]
    chosen = data.draw(st.lists(st.sampled_from(ids), unique=True))
    cut = data.draw(st.integers(0, len(chosen)))
    groups = [g for g in (chosen[:cut], chosen[cut:]) if g]
    split = split_by_lines(lines, groups, vat=vat)
    # every chosen group, then the rest
    assert len(split) == len(groups) + 1
    assert sum(p.amount for p in split) == total
    assert sum(p.taxable for p in split) == taxable
    assert sum(p.vat for p in split) == vat
    assert all(p.amount >= 0 and 0 <= p.vat <= p.taxable <= p.amount for p in split)
    assert sorted(i for p in split for i in p.line_ids) == sorted(ids)


def test_one_third_of_a_tab_as_the_e2e_pays_it():
    # 31,000원, all taxable: VAT 2,818; three parts 10,334 + 10,333 + 10,333
    split = split_even(total=31000, taxable=31000, vat=2818, parts=3)
    assert [p.amount for p in split] == [10334, 10333, 10333]
    assert [p.vat for p in split] == [940, 939, 939]


@pytest.mark.parametrize(
    "groups",
    [[[99]], [[1], [1]], [[]], [[1001]]],
)
def test_split_by_lines_refuses_unknown_repeated_or_void_lines(groups):
    lines = [BillLine(1, 5000, "TAXABLE"), BillLine(2, 3000, "TAXABLE"), BillLine(1001, -1000, "TAXABLE", void_of=1)]
    with pytest.raises(DomainError) as err:
        split_by_lines(lines, groups, vat=636)
    assert err.value.code == "INVALID_SPLIT"


@pytest.mark.parametrize("parts", [0, 1, 21, True, "3"])
def test_even_split_needs_two_to_twenty_parts(parts):
    with pytest.raises(DomainError):
        split_even(total=10000, taxable=10000, vat=909, parts=parts)
