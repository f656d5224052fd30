"""Campaigns: drafting letters and pacing releases (pure), launching them and the launch sheet (`service`)."""
