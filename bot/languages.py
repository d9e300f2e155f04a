"""The languages the assistant speaks: one list for the whole project."""
LANGUAGES = ("pt", "es", "vi", "zh")
