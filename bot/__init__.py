"""foibot: run and track Freedom of Information campaigns on WhatDoTheyKnow."""

__version__ = "0.1.0"
