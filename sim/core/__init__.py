"""The core wing: the scheme's exact rules and the books that apply them.

Rooms:

- ``rules``: the arithmetic of SPEC §1–4 as pure functions over exact values (split,
  mint, price, sale, forced-exit trigger) — each rule once.
- ``mechanics``: the rules' parameters as one frozen value, with each order amount's split
  worked out once (``Mechanics.parts``).
- ``units``: exact fen and point units, reading decimal text, and the one converter to
  yuan and points for output (``to_output``).
- ``exact_sign``: whole columns of exact integers and the exact sign of ``a + ratio * b``
  over them (float64 where it is sure, Python integers for the rest).
- ``ledger``: double-entry accounts in fen; the conservation check.
- ``book``: the reference book — pool, members, ordered forced exits, stress levers' money.
- ``referral``: the two-level referral rule (直推 / 间推) of the ``referral`` section.
- ``capacity``: how arrays with a row a member grow (by a quarter, not doubling).
- ``law``: the legal thresholds (participants, levels, money) the network and red flags cite.
- ``ponzi``: Artzrouni's (2009) Ponzi fund in continuous time (floats): the published model
  the classic-Ponzi comparison scheme is checked against, with the 1920 fit;
  ``ponzi_members`` the same fund member by member in exact fen, in the same steps;
  ``release`` the 消费全返 daily-release scheme (云联惠, 万家购物) member by member in fen.
- ``kernel``: the compiled (numba) per-order process, proven equal to ``book`` event for
  event; ``int128`` its exact 128-bit integer maths, ``trigger_heap`` its indexed heap of
  forced-exit triggers, ``kernel_layout`` its flat arrays and codes, ``kernel_book`` its
  Python face (``KernelBook``).

The lowest wing: it imports nothing of the other wings (only the standard library, numpy,
numba); every other wing may import it.
"""
