"""The batch wing: one run's boundary, and many runs as datasets.

Rooms:

- ``run``: ``simulate(scenario, seed, days) -> RunResult``, the one boundary that the
  ``run`` command, batches, reports and notebooks call; ``write_outputs`` writes a run's
  files.
- ``summary``: a run's key figures (``summary.json``) from its exact values.
- ``tables``: the one hop from exact values (fen, point units) to the tables in files.
- ``runner``: a batch's plan (the seed tree), one run of it, ``run_batch``.
- ``executors``: serial, process and Dask executors, their names defined once.
- ``store``: the batch folder's layout, defined once: per-run parts while it runs, one
  hive-partitioned file per scenario and table when it completes, ``read_table``.
- ``integrity``: the folder checks itself: a lock with its owner's pid, a journal of every
  data file's size and SHA-256, damage repaired on resume and named by compare and report.
- ``scheme_metrics``: a comparison scheme's run (classic Ponzi, daily release) in the runs
  table's columns, beside 消费增值's.
- ``columns``: the three tables' columns and what each means (kept in each file's schema).
- ``designs``: a sweep's design points and applying one to a scenario;
  ``sensitivity``: Sobol and Morris indices (SALib).
- ``compare``: means and 95% intervals across batches (Wilson for shares of runs);
  ``compare_text`` the table as a person reads it (units, "never", blocks that fit the
  terminal, sweep points by their values).
- ``kernel_bench``: ``python -m sim bench``'s workload W1, the compiled kernel alone.
- ``workloads``: the scale workloads ``python -m sim bench --workload`` measures;
  ``replay_workload`` the one that replays a generated platform export.

May import core, scenario, distribution, model, replay, analysis and the top-level
utilities; never report.
"""
