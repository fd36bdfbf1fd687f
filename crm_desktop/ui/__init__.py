"""The Qt user interface: main window, list views, forms and workers."""
