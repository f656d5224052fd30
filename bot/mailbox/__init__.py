"""WDTK's own alert e-mails, read from the requester's mailbox: `recognise` (pure) tells
which requests a message names; `imap` is the IMAP shell; `service` handles new mail."""
