"""tgmon: a Telegram channel monitor that keeps every post, edit and deletion."""

__version__ = "0.1.0"
