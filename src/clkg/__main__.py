"""``python -m clkg``: the clkg command."""

import sys

from clkg.cli import main

sys.exit(main())
