"""WeChat Pay v3: request signing, response and notification verification, merchant transfers."""
