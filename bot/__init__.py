"""The help-desk assistant. Importing it installs the named warning filters
(bot/warning_filters.py), so every process of ours prints real warnings only."""

from bot import warning_filters

warning_filters.install()
