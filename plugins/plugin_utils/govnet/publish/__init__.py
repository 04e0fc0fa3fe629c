"""Publishing: the documents engineers read (HTML pages, dialling guides, CSV, Markdown, the topology picture)."""
