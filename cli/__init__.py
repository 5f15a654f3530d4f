"""Entry points beside the Telegram adapter: the command line and the terminal chat."""
