"""What every tab shares: widgets, row models, undo commands, tasks, plain text, pickers."""
