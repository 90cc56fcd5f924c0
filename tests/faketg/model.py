"""Server-side records of the fake Telegram, and how they become TL objects.

Records stay small and plain (100,000 posts must fit in a few seconds); TL objects are
built only when a request or an update needs them.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from telethon.tl import types

from .wire import copy_tl, decode

MEDIA_DC = 2  # Another DC would make Telethon open a real sender to download from it.
MEDIA_KINDS = ("photo", "video", "document", "voice", "audio", "animation")


def stable_hash(*parts: object) -> int:
    """Return a deterministic signed 64-bit number for ``parts``."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def peer_hash(base: int, viewer_id: int | None) -> int:
    """Return the access hash ``viewer_id`` sees for an entity: like Telegram, hashes are
    per account, so one client's hash is useless in another's requests."""
    return base if viewer_id is None else stable_hash(base, viewer_id)


def utc(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)


def marked_channel_id(channel_id: int) -> int:
    """Return the ``-100…`` id Telethon uses for a channel."""
    return -1_000_000_000_000 - channel_id


@dataclass(eq=False)
class Account:
    """A user or bot account: its profile and its private mailbox."""

    id: int
    access_hash: int
    first_name: str
    username: str | None
    is_bot: bool
    phone: str | None = None
    bot_token: str | None = None
    pts: int = 1  # never 0: Telethon treats pts 0 as "no state"
    next_msg_id: int = 1
    revoked: bool = False
    messages: dict[int, PrivateMessage] = field(default_factory=dict)
    chats: dict[int, list[int]] = field(default_factory=dict)  # peer id -> ascending msg ids
    events: list[tuple[int, int, str, Any]] = field(default_factory=list)  # pts, count, kind, data
    event_pts: list[int] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)  # accounts this one has blocked
    bot_commands: list[tuple[str, str]] = field(default_factory=list)

    def add_event(self, pts_count: int, kind: str, data: Any) -> int:
        self.pts += pts_count
        self.events.append((self.pts, pts_count, kind, data))
        self.event_pts.append(self.pts)
        return self.pts


@dataclass(eq=False, slots=True)
class PrivateMessage:
    """One copy of a private message, as stored in one account's mailbox."""

    id: int
    peer_id: int
    out: bool
    from_id: int
    date: int
    text: str
    entities: list[Any] | None = None
    media: Any = None
    edit_date: int | None = None
    deleted: bool = False
    chat_id: int | None = None  # a basic group's id when the message is in one
    buttons: list[list[Any]] | None = None  # inline keyboard: [[label, data], ...] rows


@dataclass(eq=False)
class Group:
    """A basic group chat: its members see each message in their own mailbox."""

    id: int
    title: str
    date: int
    members: set[int] = field(default_factory=set)

    @property
    def marked_id(self) -> int:
        return -self.id


@dataclass(eq=False, slots=True)
class Post:
    """A channel message. ``fwd`` is ``(channel_id, msg_id)``, a sender name, or None."""

    id: int
    date: int
    text: str
    media: Any = None
    fwd: Any = None
    views: int | None = None
    grouped_id: int | None = None
    entities: list[Any] | None = None
    edit_date: int | None = None
    deleted: bool = False


@dataclass(eq=False)
class Channel:
    """A broadcast channel with its history and its own ``pts`` sequence."""

    id: int
    access_hash: int
    title: str
    username: str | None
    date: int
    extra_usernames: list[str] = field(default_factory=list)
    private: bool = False
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    banned: set[int] = field(default_factory=set)
    posts: list[Post] = field(default_factory=list)  # posts[i].id == i + 1
    live_ids: list[int] = field(default_factory=list)  # ascending ids not deleted
    pts: int = 1
    events: list[tuple[int, int, str, Any]] = field(default_factory=list)
    event_pts: list[int] = field(default_factory=list)
    last_event_date: int = 0

    @property
    def marked_id(self) -> int:
        return marked_channel_id(self.id)

    def post(self, msg_id: int) -> Post | None:
        if 1 <= msg_id <= len(self.posts):
            return self.posts[msg_id - 1]
        return None

    def add_event(self, pts_count: int, kind: str, data: Any, date: int) -> int:
        self.pts += pts_count
        self.events.append((self.pts, pts_count, kind, data))
        self.event_pts.append(self.pts)
        self.last_event_date = max(self.last_event_date, date)
        return self.pts


@dataclass(frozen=True)
class SentMessage:
    """A message some account sent through ``messages.sendMessage`` (for assertions)."""

    account_id: int
    chat_id: int  # user id, or the marked -100… id of a channel
    msg_id: int
    random_id: int
    text: str
    entities: tuple[Any, ...]
    date: int
    #: Inline buttons as (label, callback data), one per row.
    buttons: tuple[tuple[str, bytes], ...] = ()
    #: Uploaded media: "photo" or "document", its bytes and its file name.
    media_kind: str | None = None
    media: bytes | None = None
    filename: str | None = None

    @property
    def html(self) -> str:
        """Return the text with its entities rendered back to Telethon HTML."""
        from telethon.extensions import html

        return str(html.unparse(self.text, list(self.entities)))


# ---- encoding helpers for the journal (JSON-friendly) --------------------------------

def encode_tl_list(items: list[Any] | None) -> list[str] | None:
    if items is None:
        return None
    return [base64.b64encode(bytes(x)).decode() for x in items]


def decode_tl_list(items: list[str] | None) -> list[Any] | None:
    if items is None:
        return None
    return [decode(base64.b64decode(x)) for x in items]


def encode_media(media: Any) -> Any:
    if media is None or isinstance(media, str):
        if media is not None and media not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {media!r}; use {MEDIA_KINDS} or a TL media")
        return media
    return {"tl": base64.b64encode(bytes(media)).decode()}


def decode_media(media: Any) -> Any:
    if isinstance(media, dict):
        return decode(base64.b64decode(media["tl"]))
    return media


# ---- TL builders -----------------------------------------------------------------

def user_tl(account: Account, *, viewer_id: int | None) -> types.User:
    return types.User(
        id=account.id,
        is_self=account.id == viewer_id,
        bot=account.is_bot,
        access_hash=peer_hash(account.access_hash, viewer_id),
        first_name=account.first_name,
        username=account.username,
        phone=account.phone if account.id == viewer_id else None,
        bot_info_version=1 if account.is_bot else None,
        bot_nochats=None,
        status=None if account.is_bot else types.UserStatusRecently(),
    )


def channel_tl(channel: Channel, *, viewer_id: int | None) -> Any:
    if viewer_id in channel.banned or (channel.private and viewer_id not in channel.members):
        return types.ChannelForbidden(
            id=channel.id, access_hash=peer_hash(channel.access_hash, viewer_id),
            title=channel.title, broadcast=True,
        )
    usernames = None
    if channel.extra_usernames:
        handles = ([channel.username] if channel.username else []) + channel.extra_usernames
        usernames = [types.Username(u, active=True) for u in handles]
    return types.Channel(
        id=channel.id,
        title=channel.title,
        photo=types.ChatPhotoEmpty(),
        date=utc(channel.date),
        broadcast=True,
        left=viewer_id not in channel.members,
        creator=False,
        access_hash=peer_hash(channel.access_hash, viewer_id),
        username=channel.username,
        usernames=usernames,
        participants_count=len(channel.members),
        admin_rights=(
            types.ChatAdminRights(post_messages=True, edit_messages=True, delete_messages=True)
            if viewer_id in channel.admins
            else None
        ),
    )


def media_tl(media: Any, *, key: tuple[int, int], date: int) -> Any:
    if media is None:
        return None
    if not isinstance(media, str):
        return copy_tl(media)
    media_id = abs(stable_hash("media", *key))
    access_hash = stable_hash("media-hash", *key)
    when = utc(date)
    if media == "photo":
        photo = types.Photo(
            id=media_id, access_hash=access_hash, file_reference=b"\x01", date=when,
            sizes=[types.PhotoSize(type="x", w=800, h=600, size=54_321)], dc_id=MEDIA_DC,
        )
        return types.MessageMediaPhoto(photo=photo)
    attributes: list[Any]
    mime = {"video": "video/mp4", "animation": "video/mp4", "document": "application/pdf",
            "voice": "audio/ogg", "audio": "audio/mpeg"}[media]
    if media in ("video", "animation"):
        attributes = [types.DocumentAttributeVideo(duration=12.0, w=1280, h=720)]
        if media == "animation":
            attributes.append(types.DocumentAttributeAnimated())
        attributes.append(types.DocumentAttributeFilename(f"{media_id}.mp4"))
    elif media == "voice":
        attributes = [types.DocumentAttributeAudio(duration=7, voice=True)]
    elif media == "audio":
        attributes = [types.DocumentAttributeAudio(duration=180, title="Song", performer="Band"),
                      types.DocumentAttributeFilename("song.mp3")]
    else:
        attributes = [types.DocumentAttributeFilename(f"file{media_id % 1000}.pdf")]
    document = types.Document(
        id=media_id, access_hash=access_hash, file_reference=b"\x01", date=when,
        mime_type=mime, size=123_456, dc_id=MEDIA_DC, attributes=attributes,
    )
    return types.MessageMediaDocument(
        document=document, video=media == "video" or None, voice=media == "voice" or None
    )


def fwd_tl(fwd: Any, date: int) -> types.MessageFwdHeader | None:
    if fwd is None:
        return None
    if isinstance(fwd, str):
        return types.MessageFwdHeader(date=utc(date), from_name=fwd)
    channel_id, msg_id = fwd
    return types.MessageFwdHeader(
        date=utc(date), from_id=types.PeerChannel(channel_id), channel_post=msg_id
    )


def post_tl(channel: Channel, post: Post) -> Any:
    if post.deleted:
        return types.MessageEmpty(id=post.id, peer_id=types.PeerChannel(channel.id))
    return types.Message(
        id=post.id,
        peer_id=types.PeerChannel(channel.id),
        date=utc(post.date),
        message=post.text,
        post=True,
        media=media_tl(post.media, key=(channel.id, post.id), date=post.date),
        fwd_from=fwd_tl(post.fwd, post.date),
        views=post.views,
        forwards=0 if post.views is not None else None,
        grouped_id=post.grouped_id,
        entities=post.entities,
        edit_date=utc(post.edit_date) if post.edit_date else None,
    )


def group_tl(group: Group) -> types.Chat:
    return types.Chat(id=group.id, title=group.title, photo=types.ChatPhotoEmpty(),
                      participants_count=len(group.members), date=utc(group.date), version=1)


def markup_tl(buttons: list[list[Any]] | None) -> types.ReplyInlineMarkup | None:
    if not buttons:
        return None
    return types.ReplyInlineMarkup(rows=[types.KeyboardInlineButtonRow(buttons=[
        types.KeyboardInlineButton(text=label, type=types.InlineButtonTypeCallback(
            data=base64.b64decode(data))) for label, data in row]) for row in buttons])


def private_tl(owner: Account, msg: PrivateMessage) -> Any:
    peer: Any = types.PeerChat(msg.chat_id) if msg.chat_id else types.PeerUser(msg.peer_id)
    if msg.deleted:
        return types.MessageEmpty(id=msg.id, peer_id=peer)
    return types.Message(
        id=msg.id,
        peer_id=peer,
        from_id=types.PeerUser(msg.from_id) if msg.out or msg.chat_id else None,
        reply_markup=markup_tl(msg.buttons),
        date=utc(msg.date),
        message=msg.text,
        out=msg.out,
        media=media_tl(msg.media, key=(owner.id, msg.id), date=msg.date),
        entities=msg.entities,
        edit_date=utc(msg.edit_date) if msg.edit_date else None,
    )
