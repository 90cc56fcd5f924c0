"""/keywords: the configured keyword groups and their terms."""

from __future__ import annotations

from bot.commands.context import Context
from bot.commands.reply import MESSAGE_UNITS, Reply, text_reply
from bot.commands.router import CommandSpec
from bot.digest.render import HtmlBuilder
from bot.digest.text import clip

_BUDGET = MESSAGE_UNITS - 200


async def run_keywords(ctx: Context, rest: str) -> list[Reply]:
    groups = ctx.config.keywords
    out = HtmlBuilder().bold(f"Keyword groups ({len(groups)})")
    if not groups:
        return [text_reply(out.text("\nNone configured: digests list every post."))]
    for index, (name, group) in enumerate(groups.items()):
        piece = HtmlBuilder().text("\n").bold(clip(name, 48))
        marks = [m for m in ("alert" if group.alert else "",
                             ", ".join(group.languages) if group.languages else "") if m]
        if marks:
            piece.text(f" ({'; '.join(marks)})")
        piece.text(": " + clip(", ".join(group.terms), 400))
        if group.exclude:
            piece.text(" · minus: " + clip(", ".join(group.exclude), 200))
        if out.length + piece.length > _BUDGET:
            out.text(f"\n… and {len(groups) - index} more")
            break
        out.parts.append(piece.chunk().html)
        out.length += piece.length
    return [text_reply(out)]


SPECS = (CommandSpec("keywords", "/keywords", "the keyword groups and their terms",
                     run_keywords),)
