"""Claims out and acknowledgments in: 837P/837I building, batching, the outbound drop, TA1/999/277CA ingest,
and each claim's lifecycle."""
