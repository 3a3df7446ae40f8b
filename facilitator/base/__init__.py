"""What every layer may use: the error types, text made safe to print, the user's cache folder.

Pure Python; imports nothing else of facilitator."""
