from __future__ import annotations

import sys

from shequn.sandbox.cli import main

sys.exit(main())
