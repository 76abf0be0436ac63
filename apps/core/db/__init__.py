"""Database backends of our own: Django's, with what the checkout's hot path measured changed."""
