"""三三滑落: where a member's recruits are placed, worked out from the seed's counts."""

from __future__ import annotations

from sim.distribution import SpillOver


def test_recruits_slide_down_alternating_wealth_line_and_contributed_lines():
    spill = SpillOver()
    placed = {m: spill.place(1, m) for m in range(2, 32)}
    # recruits 1-3 (members 2, 3, 4) open lines 1, 2, 3 directly under the recruiter
    assert [placed[m] for m in (2, 3, 4)] == [1, 1, 1]
    # recruits 4-5: the first layer under line 3 (member 4)
    assert [placed[m] for m in (5, 6)] == [4, 4]
    # recruits 6-9: the first layer under lines 1 and 2 (members 2 and 3), 2 places each
    assert [placed[m] for m in (7, 8, 9, 10)] == [2, 2, 3, 3]
    # recruits 10-13: the second layer under line 3, below members 5 and 6
    assert [placed[m] for m in (11, 12, 13, 14)] == [5, 5, 6, 6]
    # recruits 14-21: the second layer under lines 1 and 2 (4 places each)
    assert [placed[m] for m in range(15, 23)] == [7, 7, 8, 8, 9, 9, 10, 10]
    # recruits 22-29: the third layer under line 3, below 11, 12, 13, 14
    assert [placed[m] for m in range(23, 31)] == [11, 11, 12, 12, 13, 13, 14, 14]
    assert placed[31] == 15  # then the third layer under line 1


def test_each_recruiter_has_his_own_spill_over():
    spill = SpillOver()
    for m in (2, 3, 4):
        assert spill.place(1, m) == 1
    for m in (5, 6, 7):
        assert spill.place(2, m) == 2
    assert spill.place(1, 8) == 4
    assert spill.place(2, 9) == 7
