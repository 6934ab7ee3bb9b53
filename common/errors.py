"""The one exception type a user ever sees: a bad flag, file or folder they can fix."""


class UserError(Exception):
    """A problem with the user's input. Printed as one line, exit status 2, no traceback.

    The message names the file or flag at fault and says how to fix it.
    """


class Interrupted(Exception):
    """Ctrl-C or SIGTERM during training, after the partial outputs were written: printed as
    one line that says how to resume, exit status 130."""

    def __init__(self, run_dir, script: str, epochs_done: int):
        super().__init__(f"interrupted after {epochs_done} finished epoch(s); the history and "
                         f"plots so far are in {run_dir}; continue with: python {script} "
                         f"--resume {run_dir}")
