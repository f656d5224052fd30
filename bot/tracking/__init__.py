"""Following requests on WDTK: the status rule and poll schedule (pure), and the ingest, link and poll shells."""
