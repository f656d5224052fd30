"""Reading the text and tables out of the files bodies attach to their replies."""
