"""The languages the assistant speaks: one list for the whole project, and
the names the web server and Rasa's side share (no Rasa import here: the web
server imports this and must not load Rasa)."""

LANGUAGES = ("pt", "es", "vi", "zh")

# Metadata key of a customer message asking for each answer's language in a
# `custom` payload (the web server sets it; other channels see no difference).
REPLY_LANGUAGE = "reply_language"

# Metadata key of a customer message carrying a keyed hash of the customer's
# address (the web server sets it): the action server limits escalations per address.
CLIENT = "client"

# Metadata key of a customer message carrying the name and e-mail address the
# customer gave in the widget's pre-chat form ({"name": ..., "email": ...}; the
# web server sets it): the escalation gets them and the bot does not ask again.
CONTACT = "contact"
