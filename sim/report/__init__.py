"""The report wing: batch folders (or a replay folder) in, one self-contained HTML report
and a Markdown summary out.

Rooms, in the order a report is made:

- :mod:`sim.report.load`: a finished batch folder read and checked (``Batch``,
  ``load_batch``), the scenarios it ran, and the re-runs that give member-level evidence
  (``first_point``, ``rerun_scenario``).
- :mod:`sim.report.sections`: ``ReportSection``, what every section is made of, and ``fmt``,
  how a table cell is shown.
- :mod:`sim.report.sections_runs`: the sections read from the batch's tables: collapse (with
  ``wilson`` intervals), sweeps (phase diagrams, PRIM), series bands, outcomes, scenarios.
- :mod:`sim.report.sections_law`: the sections on the law and the claims: the break-even law
  beside the runs, the distribution layer's pay, legal red flags, the six claims.
- :mod:`sim.report.figures`: every figure, drawn with matplotlib as a PNG ``data:`` URI.
- :mod:`sim.report.fonts`: the glyphs of a page's Chinese characters, a subset of Noto Sans
  CJK SC embedded in it, so that it reads the same on a machine without CJK fonts.
- :mod:`sim.report.headline`: the summary in plain words, harm first;
- :mod:`sim.report.replay_report`: the report of a replay folder: the forensic tables, the
  red flags with their dates, the insolvency day, with figures.
- :mod:`sim.report.schemes_report`: the side-by-side report of a batch holding comparison
  schemes (classic Ponzi, daily release) beside 消费增值: money in and back, what is kept and
  owed, net losers, the first unpaid day, the growth each needs, the red flags.
- :mod:`sim.report.build`: ``build_report``, everything the report shows as one ``Report``,
  with the summary in plain words.
- :mod:`sim.report.run_figures`: the pictures of one run (its day series, where the money
  went) and its headline; :mod:`sim.report.run_page` the page ``run --plot`` writes.
- :mod:`sim.report.render`: the HTML page (the Jinja2 template ``templates/report.html.j2``),
  the Markdown summary, and ``write_report``, which writes both, all or nothing.

The report wing sits under the dashboard only: it may import every other wing (core, scenario,
distribution, model, replay, analysis, batch) and the top-level ``sim.errors``, ``sim.draws``,
``sim.outputs``; only the dashboard wing, ``sim.cli``, the scripts and the notebooks import it.
"""
