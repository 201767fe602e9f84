"""node layer."""

__all__: list[str] = []
