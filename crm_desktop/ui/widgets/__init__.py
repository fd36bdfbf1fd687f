"""Small reusable widgets: optional dates, repeating rows, field marks."""
