import sys

from tf1_ae.cli import main

sys.exit(main())
