"""Writers turn the document model into files: DOCX, HTML and PDF (HTML through WeasyPrint)."""
