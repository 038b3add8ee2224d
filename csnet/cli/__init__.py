"""The `csnet` command: node administration on the host, and an API client for members."""
