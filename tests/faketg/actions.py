"""What happens in the fake world: posts, edits, deletions, joins, private messages.

Every change is an *operation* (a JSON-friendly dict) run through ``FakeWorld.execute``,
so it can be journaled and replayed in another process. ``_op_*`` methods apply one
operation; they must be deterministic and must not fail (validate before executing).
"""

from __future__ import annotations

import base64
import bisect
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from telethon.tl import types

from .model import (
    Account,
    Channel,
    Post,
    PrivateMessage,
    SentMessage,
    decode_media,
    decode_tl_list,
    encode_media,
    encode_tl_list,
    post_tl,
    private_tl,
)

if TYPE_CHECKING:
    from .world import AccountRef, ChannelRef


def _bot_command_entities(text: str) -> list[Any] | None:
    if not text.startswith("/"):
        return None
    length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
    return [types.MessageEntityBotCommand(offset=0, length=length)]


class WorldActions:
    """Mixin of :class:`FakeWorld`: the world's actions and their operations."""

    # Provided by FakeWorld.
    accounts: dict[int, Account]
    channels: dict[int, Channel]
    usernames: dict[str, tuple[str, int]]
    sent: list[SentMessage]
    random_ids: dict[tuple[int, int], tuple[int, int, int]]
    _counters: dict[str, int]
    execute: Callable[[dict[str, Any]], Any]
    now: Callable[[], int]
    account: Callable[[AccountRef], Account]
    channel: Callable[[ChannelRef], Channel]
    push: Callable[..., None]
    updates: Callable[..., types.Updates]
    should_push: Callable[[bool], bool]
    random_long: Callable[[], int]

    # ---- channel posts -----------------------------------------------------------------

    def post(self, channel: ChannelRef, text: str = "", *, media: Any = None,
             fwd_from: Any = None, views: int | None = None,
             entities: list[Any] | None = None, push: bool = True) -> int:
        """Publish a post; push ``UpdateNewChannelMessage`` to members unless ``push=False``.

        ``media``: ``"photo"``, ``"video"``, ``"document"``, ``"voice"``, ``"audio"``,
        ``"animation"`` or a TL ``MessageMedia*``. ``fwd_from``: ``(channel, msg_id)`` or a
        sender name. Returns the new message id.
        """
        item = self._post_item(text, media, fwd_from, views, entities, None)
        return self._post_items(channel, [item], push)[0]

    def post_album(self, channel: ChannelRef, captions: Sequence[str], *,
                   media: str = "photo", push: bool = True) -> list[int]:
        """Publish ``len(captions)`` posts sharing a ``grouped_id`` (use ``""`` for no caption)."""
        self._counters["group"] += 1
        grouped_id = 13_000_000_000_000_000 + self._counters["group"]
        items = [self._post_item(c, media, None, None, None, grouped_id) for c in captions]
        return self._post_items(channel, items, push)

    def _post_item(self, text: str, media: Any, fwd_from: Any, views: int | None,
                   entities: list[Any] | None, grouped_id: int | None) -> dict[str, Any]:
        fwd = fwd_from
        if isinstance(fwd_from, tuple):
            fwd = [self.channel(fwd_from[0]).id, fwd_from[1]]
        return {"text": text, "media": encode_media(media), "fwd": fwd, "views": views,
                "entities": encode_tl_list(entities), "grouped_id": grouped_id}

    def _post_items(self, channel: ChannelRef, items: list[dict[str, Any]],
                    push: bool) -> list[int]:
        return self.execute({"op": "post", "channel": self.channel(channel).id, "items": items,
                             "date": self.now(), "push": self.should_push(push)})

    def _op_post(self, op: dict[str, Any]) -> list[int]:
        channel = self.channels[op["channel"]]
        self._counters["group"] = max(
            [self._counters["group"]]
            + [i["grouped_id"] % 10**9 for i in op["items"] if i["grouped_id"]])
        new = [self._append_post(channel, item, op["date"]) for item in op["items"]]
        if op["push"]:
            self.push(self.readers(channel), lambda viewer: self.updates(
                viewer, [types.UpdateNewChannelMessage(post_tl(channel, p), pts, 1)
                         for p, pts in new], date=op["date"], channels=[channel]))
        return [p.id for p, _ in new]

    @staticmethod
    def _append_post(channel: Channel, item: dict[str, Any], date: int) -> tuple[Post, int]:
        fwd = tuple(item["fwd"]) if isinstance(item["fwd"], list) else item["fwd"]
        post = Post(id=len(channel.posts) + 1, date=date, text=item["text"],
                    media=decode_media(item["media"]), fwd=fwd, views=item["views"],
                    grouped_id=item["grouped_id"], entities=decode_tl_list(item["entities"]))
        channel.posts.append(post)
        channel.live_ids.append(post.id)
        return post, channel.add_event(1, "new", post.id, date)

    def post_batch(self, posts: Sequence[tuple[ChannelRef, str, int]], *,
                   push: bool = True) -> list[int]:
        """Publish text posts ``(channel, text, date)`` in several channels at once; each
        reader gets them in one ``Updates`` (Telegram batches updates that come together).
        Returns the new message ids."""
        items = [{"channel": self.channel(c).id, "date": date,
                  **self._post_item(text, None, None, None, None, None)}
                 for c, text, date in posts]
        return self.execute({"op": "post_batch", "items": items,
                             "date": max(i["date"] for i in items) if items else self.now(),
                             "push": self.should_push(push)})

    def _op_post_batch(self, op: dict[str, Any]) -> list[int]:
        new = [(self.channels[i["channel"]], *self._append_post(
            self.channels[i["channel"]], i, i["date"])) for i in op["items"]]
        if op["push"]:
            readers = {c.id: self.readers(c) for c, _, _ in new}
            for account_id in set().union(*readers.values()):
                mine = [(c, p, pts) for c, p, pts in new if account_id in readers[c.id]]
                self.push([account_id], lambda viewer, mine=mine: self.updates(
                    viewer, [types.UpdateNewChannelMessage(post_tl(c, p), pts, 1)
                             for c, p, pts in mine],
                    date=op["date"], channels=list({c.id: c for c, _, _ in mine}.values())))
        return [p.id for _, p, _ in new]

    def post_many(self, channel: ChannelRef, n: int, *, text: str = "Post {id}",
                  start_date: int | None = None, step: int = 60, views: int | None = None,
                  silent: bool = True) -> range:
        """Publish ``n`` posts fast; ``text`` may use ``{id}`` and ``{i}``. Never pushed
        unless ``silent=False``. Dates run from ``start_date`` by ``step`` seconds."""
        ch = self.channel(channel)
        first = len(ch.posts) + 1
        if not silent:
            for i in range(n):
                self.post(ch, text.format(id=first + i, i=i), views=views)
            return range(first, first + n)
        self.execute({"op": "post_many", "channel": ch.id, "n": n, "text": text,
                      "start": start_date, "step": step, "views": views, "date": self.now()})
        return range(first, first + n)

    def _op_post_many(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        floor = channel.posts[-1].date if channel.posts else 0
        start = op["start"] if op["start"] is not None else op["date"]
        step = op["step"] if op["start"] is not None else 0
        template, views, first = op["text"], op["views"], len(channel.posts) + 1
        for i in range(op["n"]):
            msg_id = first + i
            date = max(floor, start + i * step)
            channel.posts.append(Post(msg_id, date, template.format(id=msg_id, i=i), views=views))
            channel.add_event(1, "new", msg_id, date)
        channel.live_ids.extend(range(first, first + op["n"]))

    def edit(self, channel: ChannelRef, msg_id: int, text: str, *,
             entities: list[Any] | None = None, push: bool = True) -> None:
        """Edit a post's text; pushes ``UpdateEditChannelMessage``."""
        ch = self.channel(channel)
        post = ch.post(msg_id)
        if post is None or post.deleted:
            raise KeyError(f"no message {msg_id} in {ch.title}")
        self.execute({"op": "edit", "channel": ch.id, "id": msg_id, "text": text,
                      "entities": encode_tl_list(entities), "date": self.now(),
                      "push": self.should_push(push)})

    def _op_edit(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        post = channel.posts[op["id"] - 1]
        post.text, post.entities, post.edit_date = (
            op["text"], decode_tl_list(op["entities"]), op["date"])
        pts = channel.add_event(1, "edit", post.id, op["date"])
        if op["push"]:
            self.push(self.readers(channel), lambda viewer: self.updates(
                viewer, [types.UpdateEditChannelMessage(post_tl(channel, post), pts, 1)],
                date=op["date"], channels=[channel]))

    def delete(self, channel: ChannelRef, msg_ids: Iterable[int], *, push: bool = True) -> None:
        """Delete posts; pushes ``UpdateDeleteChannelMessages``."""
        ch = self.channel(channel)
        ids = sorted(set(msg_ids))
        self.execute({"op": "delete", "channel": ch.id, "ids": ids, "date": self.now(),
                      "push": self.should_push(push)})

    def _op_delete(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        for msg_id in op["ids"]:
            post = channel.post(msg_id)
            if post is not None and not post.deleted:
                post.deleted = True
                del channel.live_ids[bisect.bisect_left(channel.live_ids, msg_id)]
        ids = op["ids"]
        pts = channel.add_event(len(ids), "delete", tuple(ids), op["date"])
        if op["push"]:
            self.push(self.readers(channel), lambda viewer: self.updates(
                viewer, [types.UpdateDeleteChannelMessages(channel.id, ids, pts, len(ids))],
                date=op["date"], channels=[channel]))

    # ---- membership and access ---------------------------------------------------------

    @staticmethod
    def readers(channel: Channel) -> set[int]:
        """Accounts that receive the channel's live updates."""
        return channel.members - channel.banned

    def join(self, channel: ChannelRef, account: AccountRef) -> bool:
        """Make ``account`` a member; returns False if it already was."""
        return bool(self.execute({"op": "join", "channel": self.channel(channel).id,
                                  "account": self.account(account).id}))

    def _op_join(self, op: dict[str, Any]) -> bool:
        members = self.channels[op["channel"]].members
        if op["account"] in members:
            return False
        members.add(op["account"])
        return True

    def leave(self, channel: ChannelRef, account: AccountRef) -> None:
        self.execute({"op": "leave", "channel": self.channel(channel).id,
                      "account": self.account(account).id})

    def _op_leave(self, op: dict[str, Any]) -> None:
        self.channels[op["channel"]].members.discard(op["account"])

    def add_admin(self, channel: ChannelRef, account: AccountRef) -> None:
        """Let ``account`` post to the channel (it also becomes a member)."""
        self.execute({"op": "admin", "channel": self.channel(channel).id,
                      "account": self.account(account).id})

    def _op_admin(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        channel.admins.add(op["account"])
        channel.members.add(op["account"])

    def make_private(self, channel: ChannelRef) -> None:
        """Drop the channel's usernames; non-members now get CHANNEL_PRIVATE."""
        self.execute({"op": "private", "channel": self.channel(channel).id})

    def _op_private(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        channel.private = True
        for handle in [channel.username, *channel.extra_usernames]:
            if handle:
                self.usernames.pop(handle.lower(), None)
        channel.username, channel.extra_usernames = None, []

    def ban(self, channel: ChannelRef, account: AccountRef) -> None:
        """Ban ``account``: it leaves, and gets CHANNEL_PRIVATE / ChannelForbidden from now on."""
        self.execute({"op": "ban", "channel": self.channel(channel).id,
                      "account": self.account(account).id, "date": self.now()})

    def _op_ban(self, op: dict[str, Any]) -> None:
        channel = self.channels[op["channel"]]
        channel.members.discard(op["account"])
        channel.banned.add(op["account"])
        self.push([op["account"]], lambda viewer: self.updates(
            viewer, [types.UpdateChannel(channel.id)], date=op["date"], channels=[channel]))

    def block(self, user: AccountRef, bot: AccountRef) -> None:
        """``user`` blocks ``bot``: the bot's sends to it fail with USER_IS_BLOCKED."""
        self.execute({"op": "block", "user": self.account(user).id, "bot": self.account(bot).id})

    def _op_block(self, op: dict[str, Any]) -> None:
        self.accounts[op["user"]].blocked.add(op["bot"])

    # ---- private messages and sends ---------------------------------------------------

    def user_sends_to_bot(self, user: AccountRef, text: str, *, bot: AccountRef | None = None,
                          push: bool = True) -> int:
        """``user`` writes to ``bot`` (the only bot if omitted); returns the bot-side msg id."""
        if bot is None:
            bots = [a for a in self.accounts.values() if a.is_bot]
            if len(bots) != 1:
                raise ValueError("several bots exist: pass bot=")
            bot = bots[0]
        op = {"op": "send", "from": self.account(user).id, "kind": "user",
              "to": self.account(bot).id, "text": text,
              "entities": encode_tl_list(_bot_command_entities(text)),
              "random_id": self.random_long(), "date": self.now(),
              "push": self.should_push(push), "api": False}
        self.execute(op)
        return self.accounts[op["to"]].chats[op["from"]][-1]

    def _op_send(self, op: dict[str, Any]) -> tuple[int, int, int]:
        sender = self.accounts[op["from"]]
        entities = decode_tl_list(op["entities"])
        if op["kind"] == "channel":
            channel = self.channels[op["to"]]
            item = {"text": op["text"], "media": None, "fwd": None, "views": 1,
                    "entities": op["entities"], "grouped_id": None}
            (msg_id,) = self._op_post({"channel": channel.id, "items": [item],
                                       "date": op["date"], "push": op["push"]})
            answer = (channel.marked_id, msg_id, channel.pts)
        elif op["kind"] == "group":
            answer = self._deliver_to_group(sender, op, entities)
        else:
            answer = self._deliver_private(sender, self.accounts[op["to"]], op, entities)
        self.random_ids[(sender.id, op["random_id"])] = answer
        if op["api"]:
            media = op.get("media") or {}
            self.sent.append(SentMessage(
                sender.id, answer[0], answer[1], op["random_id"], op["text"],
                tuple(entities or ()), op["date"],
                buttons=tuple((label, base64.b64decode(data))
                              for row in op.get("buttons") or () for label, data in row),
                media_kind=media.get("kind"),
                media=base64.b64decode(media["b64"]) if media else None,
                filename=media.get("name")))
        return answer

    def _deliver_private(self, sender: Account, recipient: Account, op: dict[str, Any],
                         entities: list[Any] | None) -> tuple[int, int, int]:
        copies = []
        for owner, peer in ((sender, recipient), (recipient, sender)):
            msg = PrivateMessage(id=owner.next_msg_id, peer_id=peer.id, out=owner is sender,
                                 from_id=sender.id, date=op["date"], text=op["text"],
                                 entities=entities, buttons=op.get("buttons"),
                                 media=(op.get("media") or {}).get("kind"))
            owner.next_msg_id += 1
            owner.messages[msg.id] = msg
            owner.chats.setdefault(peer.id, []).append(msg.id)
            copies.append((owner, peer, msg, owner.add_event(1, "new", msg.id)))
        if op["push"]:
            for owner, peer, msg, pts in copies:
                self.push([owner.id], lambda viewer, o=owner, p=peer, m=msg, n=pts: self.updates(
                    viewer, [types.UpdateNewMessage(private_tl(o, m), n, 1)],
                    date=op["date"], users=[p, o]))
        _, _, sent_copy, sender_pts = copies[0]
        return recipient.id, sent_copy.id, sender_pts

    def _op_commands(self, op: dict[str, Any]) -> None:
        self.accounts[op["account"]].bot_commands = [(c, d) for c, d in op["commands"]]
