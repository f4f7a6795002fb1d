"""One exception type for everything a user can fix; the faces turn it into a message and exit 2."""


class QAError(Exception):
    def __init__(self, message: str, *, hint: str | None = None, code: int = 2):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.code = code

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message
