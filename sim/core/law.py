"""The legal thresholds of SPEC §7, defined once, each with where the law sets it.

The referral network's counts (:func:`sim.model.network.summary`) and the red flags
(:mod:`sim.analysis.redflags`) cite these; they say where a simulated platform stands against
the thresholds the law sets and do not decide any case. Thresholds use "at least" (以上
includes the number itself). Levels count the organiser as the first level, as the 2013
Opinion says ("包括组织者、领导者本人及其本层级在内"). Money is in fen.
"""

from __future__ import annotations

from sim.i18n import N_

# 《禁止传销条例》第七条；《刑法》第二百二十四条之一及立案追诉标准 — the filing standard for
# organising a pyramid: at least 30 participants over at least 3 levels.
PYRAMID_PARTICIPANTS = 30
PYRAMID_LEVELS = 3

# 两高一部《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》（2013）：情节严重 —
# serious circumstances: at least 120 participants, or at least 2.5 million yuan.
SERIOUS_PARTICIPANTS = 120
SERIOUS_MONEY = 250_000_000  # fen: 2.5 million yuan

# 《防范和处置非法集资条例》（2021）；最高人民法院非法集资司法解释（2022年修正） — illegal
# fund-raising: at least 1 million yuan absorbed, or 150 payers, or 500,000 yuan of direct loss.
FUNDRAISING_MONEY = 100_000_000  # fen: 1 million yuan
FUNDRAISING_PAYERS = 150
FUNDRAISING_LOSS = 50_000_000  # fen: 500,000 yuan

LAW_PYRAMID = (
    "《禁止传销条例》第七条；《刑法》第二百二十四条之一及立案追诉标准（三十人以上且层级三级以上）"
    " / Regulations on Prohibition of Pyramid Selling, Art. 7; Criminal Law Art. 224-1 and its "
    "filing standard (at least 30 participants and at least 3 levels)"
)
LAW_SERIOUS = (
    "两高一部《关于办理组织领导传销活动刑事案件适用法律若干问题的意见》（2013）：情节严重 / "
    "2013 Opinion of the SPC, SPP and MPS on pyramid-selling cases: serious circumstances "
    "(120 participants or 2.5 million yuan)"
)
LAW_FUNDRAISING = (
    "《防范和处置非法集资条例》（2021）；最高人民法院非法集资司法解释（2022年修正） / "
    "Regulations on Preventing and Handling Illegal Fund-raising (2021); SPC interpretation on "
    "illegal fund-raising cases (2022 amendment)"
)
LAW_ENTRY_FEE = (
    "《禁止传销条例》第七条第（二）项：入门费 / Regulations on Prohibition of Pyramid Selling, "
    "Art. 7(2): an entry fee, including one paid through a required purchase"
)
LAW_RECRUITMENT = (
    "《禁止传销条例》第七条第（一）、（三）项：拉人头、团队计酬 / Regulations on Prohibition of "
    "Pyramid Selling, Art. 7(1) pay by recruits and 7(3) pay on the downline's sales"
)
LAW_PROMISE = (
    "《防范和处置非法集资条例》第二条：许诺还本付息或者给予其他投资回报 / Regulations on "
    "Preventing and Handling Illegal Fund-raising, Art. 2: promising principal and returns"
)

# the red flags' keys and the readings of who organises, as text shows them: the key itself
# in English, the statute's own words in Chinese (sim.i18n's catalogue)
FLAG_NAMES = (
    N_("pyramid_levels"),
    N_("pyramid_serious"),
    N_("illegal_fundraising"),
    N_("entry_fee"),
    N_("recruitment_pay"),
    N_("promised_multiple"),
)
READING_NAMES = (N_("platform"), N_("leader"))
