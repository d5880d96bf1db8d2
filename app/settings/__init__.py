"""What anyone can change about their own use of the app: the display, their password."""
