"""The replies' attachments: fetched from WDTK once, read (bot.extraction), their text kept."""
