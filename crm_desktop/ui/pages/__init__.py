"""Record pages: a window per contact, company or deal, with its timeline."""
