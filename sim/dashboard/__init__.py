"""The dashboard wing: the browser page where a user moves a scenario's controls and sees the
run again at once (Solara), served on this machine by ``python -m sim dashboard``.

Rooms:

- ``controls``: which scenario values the sliders and choices set (dotted paths; the mix as
  two shares), and the scenario a set of control values makes: pure functions.
- ``ensemble``: N replicates on every core with ``sim batch``'s seeds: bands, collapse and
  loss figures with intervals.
- ``app``: the Solara page: scenario picker, controls, the run in a background thread, its
  plots, red flags and downloads; ``views`` its ensemble, A/B and claims views; ``claims``
  the six claims tested on the current run.
- ``server``: ``python -m sim dashboard``: the scenario checked, then Solara's server in
  production mode (no request leaves the machine).

The top wing: may import every wing below it.
"""
