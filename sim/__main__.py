"""``python -m sim``: see :mod:`sim.cli`.

Before numpy is imported, a command asks it not to request 2 MB pages for its arrays
(``NUMPY_MADVISE_HUGEPAGE=0``, numpy's own setting, unless the environment sets it): on the
2-core VM the project is measured on, faulting those pages in took 0.7-1.2 s of kernel time
in a 1,000,000-member year (``bench --workload year_1m``: 3.5-4.4 s with them, 2.8-2.9 s
without, run in alternation; 9 million members 46.8 s against 39.8 s), and no shipped
scenario was slower without them. ``NUMPY_MADVISE_HUGEPAGE=1`` asks for them again.
"""

import os

os.environ.setdefault("NUMPY_MADVISE_HUGEPAGE", "0")

from sim.cli import main  # numpy, imported here, reads the setting

raise SystemExit(main())
