"""News for people: what is worth telling (`news`, pure) and sending it by e-mail or webhook (`send`)."""
