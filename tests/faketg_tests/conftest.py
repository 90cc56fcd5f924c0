from tests.faketg.fixtures import clients, fast_telethon_timers, flood_sleeps, world  # noqa: F401
