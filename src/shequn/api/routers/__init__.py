"""One router per area of the API; api/urls.py mounts them."""
