"""Business rules in plain Python: each call takes a session and the user."""
