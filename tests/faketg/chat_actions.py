"""Basic groups and inline buttons in the fake world: a user writes in a group the bot is
in, or presses a button under one of the bot's messages (a callback query)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from telethon.tl import types

from .model import (
    Account,
    Group,
    PrivateMessage,
    SentMessage,
    group_tl,
    private_tl,
    user_tl,
    utc,
)

if TYPE_CHECKING:
    from .world import AccountRef


class ChatActions:
    """Mixin of :class:`FakeWorld`: groups, group messages and button presses."""

    accounts: dict[int, Account]
    groups: dict[int, Group]
    callback_answers: list[tuple[int, int]]
    _counters: dict[str, int]
    execute: Callable[[dict[str, Any]], Any]
    now: Callable[[], int]
    account: Callable[[AccountRef], Account]
    push: Callable[..., None]
    updates: Callable[..., types.Updates]
    should_push: Callable[[bool], bool]
    random_long: Callable[[], int]

    def create_group(self, title: str, *, members: Iterable[AccountRef]) -> Group:
        """Create a basic group with these members (add the bot to let it answer there)."""
        self._counters["group_chat"] = self._counters.get("group_chat", 0) + 1
        return self.execute({"op": "create_group", "id": 500_000 + self._counters["group_chat"],
                             "title": title, "date": self.now(),
                             "members": [self.account(m).id for m in members]})

    def _op_create_group(self, op: dict[str, Any]) -> Group:
        group = Group(op["id"], op["title"], op["date"], set(op["members"]))
        self._counters["group_chat"] = max(self._counters.get("group_chat", 0),
                                           op["id"] - 500_000)
        self.groups[group.id] = group
        return group

    def group(self, ref: Group | int) -> Group:
        return ref if isinstance(ref, Group) else self.groups[abs(ref)]

    def user_sends_to_group(self, user: AccountRef, group: Group, text: str) -> None:
        """``user`` writes ``text`` in ``group``; every member gets it (a bot sees commands)."""
        from .actions import _bot_command_entities
        from .model import encode_tl_list

        self.execute({"op": "send", "from": self.account(user).id, "kind": "group",
                      "to": group.id, "text": text,
                      "entities": encode_tl_list(_bot_command_entities(text)),
                      "random_id": self.random_long(), "date": self.now(),
                      "push": self.should_push(True), "api": False})

    def _deliver_to_group(self, sender: Account, op: dict[str, Any],
                          entities: list[Any] | None) -> tuple[int, int, int]:
        group = self.groups[op["to"]]
        answer = (group.marked_id, 0, 0)
        media = (op.get("media") or {}).get("kind")
        members = [self.accounts[m] for m in sorted(group.members)]
        for member_id in sorted(group.members):
            owner = self.accounts[member_id]
            msg = PrivateMessage(id=owner.next_msg_id, peer_id=sender.id,
                                 out=owner is sender, from_id=sender.id, date=op["date"],
                                 text=op["text"], entities=entities, chat_id=group.id,
                                 buttons=op.get("buttons"), media=media)
            owner.next_msg_id += 1
            owner.messages[msg.id] = msg
            owner.chats.setdefault(group.marked_id, []).append(msg.id)
            pts = owner.add_event(1, "new", msg.id)
            if owner is sender:
                answer = (group.marked_id, msg.id, pts)
            elif op["push"]:
                self.push([owner.id], lambda viewer, o=owner, m=msg, n=pts: types.Updates(
                    updates=[types.UpdateNewMessage(private_tl(o, m), n, 1)],
                    users=[user_tl(u, viewer_id=viewer.id) for u in members],
                    chats=[group_tl(group)], date=utc(op["date"]), seq=0))
        return answer

    def press_button(self, user: AccountRef, message: SentMessage,
                     data: bytes | None = None) -> int:
        """``user`` presses a button under the bot's ``message`` (its only one if not given)."""
        if data is None:
            (data,) = [d for _, d in message.buttons]
        if data not in [d for _, d in message.buttons]:
            raise ValueError(f"no button with data {data!r} under that message")
        query_id = self.random_long()
        self.execute({"op": "press", "user": self.account(user).id, "bot": message.account_id,
                      "chat": message.chat_id, "msg_id": message.msg_id, "data": data.hex(),
                      "query_id": query_id, "date": self.now()})
        return query_id

    def _op_press(self, op: dict[str, Any]) -> None:
        user, bot = self.accounts[op["user"]], self.accounts[op["bot"]]
        chat = op["chat"]
        peer: Any = types.PeerChat(-chat) if chat < 0 else types.PeerUser(user.id)
        update = types.UpdateBotCallbackQuery(
            query_id=op["query_id"], user_id=user.id, peer=peer, msg_id=op["msg_id"],
            chat_instance=abs(hash((user.id, chat))) % 2**62, data=bytes.fromhex(op["data"]))
        chats = [group_tl(self.groups[-chat])] if chat < 0 else []
        self.push([bot.id], lambda viewer: types.Updates(
            updates=[update], users=[user_tl(user, viewer_id=viewer.id)], chats=chats,
            date=utc(op["date"]), seq=0))
