"""One exception type for every expected failure: `python -m pkg` prints it as one line and exits."""


class PkgError(Exception):
    """A failure with a one-line cause. exit_code 2 means bad input (config, VERSION, target)."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


class InputError(PkgError):
    def __init__(self, message: str):
        super().__init__(message, exit_code=2)
