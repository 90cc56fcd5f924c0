from tests.store.conftest import archive  # noqa: F401  (one archive fixture for both suites)
