import sys

if sys.stdout is None:  # started with its output closed (`>&-`): nothing it printed could reach anyone, and a
    # run would train for minutes before its first flush failed; refused at once, before TensorFlow loads
    from app.failures import say

    say("error: the output (stdout) is closed; nothing was run")  # nowhere, if stderr is closed too
    sys.exit(2)

from app.cli import main

sys.exit(main())
