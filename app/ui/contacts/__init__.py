"""The Contacts tab: the list, the pane (editor and activity) and its dialogs."""
