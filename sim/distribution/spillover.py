"""三三滑落 spill-over (seed 004, 链动2+1 方案二): where a member's recruits are placed.

Each member opens at most three lines: recruits 1-3 are placed directly under them (lines 1
and 2 are the ones left to the upline, line 3 the member's own 财富线). Later recruits slide
down, alternating between the wealth line and the two contributed lines, one layer at a
time: recruits 4-5 fill the first layer under line 3 (2 places), 6-9 the first layer under
lines 1 and 2 (2 places each, line 1 first), 10-13 the second layer under line 3 (4 places),
14-21 the second layer under lines 1 and 2 (4 each), and so on (2^r places per line in
layer r). The seed's counts (2, then 4, then 4, then 8) fix this binary fill: each slid-down
recruit takes two places below it, filled left to right, breadth first. Those places belong
to the recruiter's spill-over only; the placed members' own recruits come in beside them.

The caller adds the member to the network under :meth:`SpillOver.place`'s answer and tells
the rule set who really recruited them (``RuleSet.join(member, net, recruiter)``).
"""

from __future__ import annotations


class SpillOver:
    def __init__(self, lines: int = 3) -> None:
        if lines != 3:
            raise ValueError("三三滑落 has three lines per member")
        self._recruits: dict[int, int] = {}
        self._layers: dict[tuple[int, int], list[list[int]]] = {}  # (recruiter, line) -> layers

    def place(self, recruiter: int, member: int) -> int:
        """The member under whom ``recruiter``'s next recruit ``member`` is placed."""
        k = self._recruits.get(recruiter, 0)
        self._recruits[recruiter] = k + 1
        if k < 3:
            self._layers[recruiter, k] = [[member]]
            return recruiter
        line, layer, pos = slot(k - 3)
        layers = self._layers[recruiter, line]
        if len(layers) == layer:
            layers.append([])
        layers[layer].append(member)
        return layers[layer - 1][pos // 2]


def slot(s: int) -> tuple[int, int, int]:
    """The ``s``-th slid-down recruit (0-based): (line index 0-2, layer >= 1, position)."""
    layer = 1
    while True:
        width = 2**layer
        if s < width:
            return 2, layer, s
        s -= width
        if s < 2 * width:
            return s // width, layer, s % width
        s -= 2 * width
        layer += 1
