from tests.ingest.conftest import _fresh_channel_cache  # noqa: F401 - autouse
from tests.ingest.sandbox_support import sandbox_fixture  # noqa: F401 - provides `sandbox`
from tests.livecodes.wired import wired_fixture  # noqa: F401 - provides `wired`
