"""The one exception type a user ever sees: a bad flag, file or folder they can fix."""


class UserError(Exception):
    """A problem with the user's input. Printed as one line, exit status 2, no traceback.

    The message names the file or flag at fault and says how to fix it.
    """
