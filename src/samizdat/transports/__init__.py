"""transports layer."""

__all__: list[str] = []
