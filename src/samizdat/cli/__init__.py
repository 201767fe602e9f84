"""cli layer."""

__all__: list[str] = []
