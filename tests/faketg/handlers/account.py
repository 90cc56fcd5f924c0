"""Connection, login, users, bot settings and account-level update state."""

from __future__ import annotations

import bisect
from typing import Any

from telethon.tl import functions, types

from ..errors import FakeRpcError
from ..model import MEDIA_DC, channel_tl, private_tl, user_tl, utc
from .registry import Ctx, handles

_DC_IPS = {1: "149.154.175.53", 2: "149.154.167.51", 3: "149.154.175.100",
           4: "149.154.167.91", 5: "91.108.56.130"}


@handles(functions.help.GetConfigRequest, auth=False)
def get_config(ctx: Ctx, request: Any) -> types.Config:
    now = ctx.world.now()
    return types.Config(
        date=utc(now), expires=utc(now + 3600), test_mode=False, this_dc=MEDIA_DC,
        dc_options=[types.DcOption(id=dc, ip_address=ip, port=443) for dc, ip in _DC_IPS.items()],
        dc_txt_domain_name="apv3.stel.com", chat_size_max=200, megagroup_size_max=200_000,
        forwarded_count_max=100, online_update_period_ms=210_000,
        offline_blur_timeout_ms=5_000, offline_idle_timeout_ms=30_000,
        online_cloud_timeout_ms=300_000, notify_cloud_delay_ms=30_000,
        notify_default_delay_ms=1_500, push_chat_period_ms=60_000, push_chat_limit=2,
        edit_time_limit=172_800, revoke_time_limit=2_147_483_647,
        revoke_pm_time_limit=2_147_483_647, rating_e_decay=2_419_200,
        stickers_recent_limit=200, channels_read_media_period=604_800,
        call_receive_timeout_ms=20_000, call_ring_timeout_ms=90_000,
        call_connect_timeout_ms=30_000, call_packet_timeout_ms=10_000,
        me_url_prefix="https://t.me/", caption_length_max=1024, message_length_max=4096,
        webfile_dc_id=4,
    )


@handles(functions.users.GetUsersRequest)
def get_users(ctx: Ctx, request: Any) -> list[Any]:
    found = []
    for input_user in request.id:
        try:
            found.append(user_tl(ctx.user(input_user), viewer_id=ctx.me.id))
        except FakeRpcError:
            continue  # Telegram leaves unknown users out
    return found


@handles(functions.users.GetFullUserRequest)
def get_full_user(ctx: Ctx, request: Any) -> types.users.UserFull:
    user = ctx.user(request.id)
    full = types.UserFull(
        id=user.id, settings=types.PeerSettings(),
        notify_settings=types.PeerNotifySettings(), common_chats_count=0,
        blocked=user.id in ctx.me.blocked,
        bot_info=types.BotInfo(user_id=user.id, commands=[
            types.BotCommand(c, d) for c, d in user.bot_commands]) if user.is_bot else None,
    )
    return types.users.UserFull(full_user=full, chats=[],
                                users=[user_tl(user, viewer_id=ctx.me.id)])


@handles(functions.auth.ImportBotAuthorizationRequest, auth=False)
def import_bot_authorization(ctx: Ctx, request: Any) -> types.auth.Authorization:
    world = ctx.world
    bot = next((a for a in world.accounts.values()
                if a.is_bot and a.bot_token == request.bot_auth_token), None)
    if bot is None:
        raise FakeRpcError("ACCESS_TOKEN_INVALID")
    if request.api_id != world.api_id or request.api_hash != world.api_hash:
        raise FakeRpcError("API_ID_INVALID")
    bot.revoked = False
    world.authorize(ctx.sender.auth_key.key_id, bot, record=True)
    return types.auth.Authorization(user=user_tl(bot, viewer_id=bot.id))


@handles(functions.auth.LogOutRequest)
def log_out(ctx: Ctx, request: Any) -> types.auth.LoggedOut:
    ctx.world.authorizations.pop(ctx.sender.auth_key.key_id, None)
    return types.auth.LoggedOut()


@handles(functions.bots.SetBotCommandsRequest)
def set_bot_commands(ctx: Ctx, request: Any) -> bool:
    if not ctx.me.is_bot:
        raise FakeRpcError("USER_BOT_REQUIRED")
    ctx.world.execute({"op": "commands", "account": ctx.me.id,
                       "commands": [[c.command, c.description] for c in request.commands]})
    return True


@handles(functions.updates.GetStateRequest)
def get_state(ctx: Ctx, request: Any) -> types.updates.State:
    return types.updates.State(pts=ctx.me.pts, qts=0, date=utc(ctx.world.now()), seq=0,
                               unread_count=0)


@handles(functions.updates.GetDifferenceRequest)
def get_difference(ctx: Ctx, request: Any) -> Any:
    """Private messages since ``pts``; ``updateChannelTooLong`` for busy channels since ``date``.

    Edits and deletions in private chats are not modelled (the world cannot make them).
    """
    world, me = ctx.world, ctx.me
    now = world.now()
    if request.pts > me.pts:
        return types.updates.DifferenceTooLong(pts=me.pts)
    since = int(request.date.timestamp()) if request.date else 0
    channels = [c for c in world.channels.values()
                if me.id in world.readers(c) and c.events and c.last_event_date >= since]
    events = me.events[bisect.bisect_right(me.event_pts, request.pts):]
    if not events and not channels:
        return types.updates.DifferenceEmpty(date=utc(now), seq=0)
    new_messages, peers = [], set()
    for _, _, kind, msg_id in events:
        message = me.messages[msg_id]
        if kind == "new" and not message.deleted:
            new_messages.append(private_tl(me, message))
            peers.add(message.peer_id)
    return types.updates.Difference(
        new_messages=new_messages,
        new_encrypted_messages=[],
        other_updates=[types.UpdateChannelTooLong(c.id, pts=c.pts) for c in channels],
        chats=[channel_tl(c, viewer_id=me.id) for c in channels],
        users=[user_tl(world.accounts[p], viewer_id=me.id) for p in sorted(peers)],
        state=types.updates.State(pts=me.pts, qts=0, date=utc(now), seq=0, unread_count=0),
    )
