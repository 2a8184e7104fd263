"""`python -m voicecoach`: the same as the `voicecoach` command."""

import sys

from voicecoach.cli.main import main

sys.exit(main())
