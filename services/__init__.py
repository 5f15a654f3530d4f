"""The application layer: use cases, one unit of work each; no Telegram here."""
