"""Pure bot commands: parse a message's text into a request, and format the replies."""

from bot.commands.access import may_subscribe
from bot.commands.parse import (
    Command,
    CommandError,
    DigestNow,
    Help,
    Latest,
    Search,
    Start,
    Subscribe,
    Subscriptions,
    Unsubscribe,
    parse_command,
)
from bot.commands.replies import (
    format_help,
    format_latest,
    format_not_allowed,
    format_search_results,
    format_start,
    format_subscribed,
    format_subscriptions,
    format_unsubscribed,
)

__all__ = [
    "Command", "CommandError", "DigestNow", "Help", "Latest", "Search", "Start", "Subscribe",
    "Subscriptions", "Unsubscribe", "format_help", "format_latest", "format_not_allowed",
    "format_search_results", "format_start", "format_subscribed", "format_subscriptions",
    "format_unsubscribed", "may_subscribe", "parse_command",
]
