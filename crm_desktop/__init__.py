"""crm-desktop: a desktop CRM for small businesses."""
