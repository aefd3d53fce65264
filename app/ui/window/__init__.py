"""The window: start-up, the main window that assembles the tabs, its menus and dialogs."""
