"""The help desk behind the bot: escalations to people, their queues and announcements."""
