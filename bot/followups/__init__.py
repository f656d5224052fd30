"""Follow-ups: which one each request is due (`rules`, pure) and drafting and releasing them (`service`)."""
