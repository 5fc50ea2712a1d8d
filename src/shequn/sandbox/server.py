"""Running the sandbox under uvicorn (the `shequn sandbox` command and the demo)."""

from __future__ import annotations

import uvicorn

from shequn.sandbox.app import create_app


def serve(host: str = "127.0.0.1", port: int = 8765, state_path: str | None = None) -> None:
    """Serve until interrupted; state in `state_path` survives a restart."""
    app = create_app(state_path, public_url=f"http://{host}:{port}")
    uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info")).run()
