"""`python -m corsproof`.

Under `-m`, Python puts the current directory first on `sys.path`: a scanned project's own
`pathspec.py`, `packaging.py`, `yaml.py`… would be imported instead of corsproof's dependencies
(and run). The entry drops it before importing anything else, as pip's `__main__` does; the
package's `__init__` imports nothing but its version, so nothing was imported from there before.
"""

import os
import sys

if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from corsproof.cli import main  # noqa: E402 - after the path is made safe

raise SystemExit(main())
