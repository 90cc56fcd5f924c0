"""`tgmon backup` and `tgmon restore`: a consistent copy of a live archive, and back again."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from bot.cli.context import config_for, db_path, existing_db
from bot.store import backup


async def backup_archive(args: argparse.Namespace) -> int:
    """Copy the archive to OUT while `tgmon run` may be writing to it."""
    source = existing_db(args, config_for(args))
    size = await asyncio.to_thread(backup.backup, source, args.out)
    print(f"backed up {source} to {args.out} ({size:,} bytes, integrity check ok)")
    return 0


async def restore_archive(args: argparse.Namespace) -> int:
    """Put a backup in the archive's place, unless something has the archive open."""
    target = db_path(args, config_for(args))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    left = backup.leftover_copies(target)
    aside = await asyncio.to_thread(backup.restore, args.backup, target, stamp=stamp)
    print(f"restored {target} from {args.backup}")
    for path in left:
        if not path.exists():  # removed under the archive's lock
            what = ("a half-written copy" if ".restoring-" in path.name
                    else "a second name of the archive")
            print(f"removed {path}, {what} an interrupted restore left")
    if aside is not None:
        print(f"the archive it replaced is kept as {aside}; delete it once you no longer "
              "need it")
    return 0
