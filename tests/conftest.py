"""Root test configuration: no test may reach the network."""

from collections.abc import Iterator

import pytest

from tests.faketg.guard import install_socket_guard, uninstall_socket_guard


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    install_socket_guard()
    yield
    uninstall_socket_guard()
