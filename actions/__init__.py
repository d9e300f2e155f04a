"""Custom actions run by the Rasa action server (`rasa run actions`)."""

from actions.handoff import write_back_spooled_escalations

write_back_spooled_escalations()
