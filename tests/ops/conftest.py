from tests.faketg.fixtures import fast_telethon_timers, world  # noqa: F401
