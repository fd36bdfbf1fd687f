"""Dialogs that create and edit one record each."""
