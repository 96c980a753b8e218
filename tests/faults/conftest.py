from tests.integration.conftest import *  # noqa: F403  (the same real-process fixtures)
