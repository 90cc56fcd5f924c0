from tests.faketg.fixtures import clients, flood_sleeps, world  # noqa: F401
