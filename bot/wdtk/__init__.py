"""How foibot talks to WhatDoTheyKnow, in one folder.

- `client`: the polite, bounded HTTP client (robots, pacing, back-off, size caps).
- `payload`: typed views of what WDTK serves (request JSON, request page HTML).
- `robots`: RFC 9309 robots.txt matching.
- `urls`: the URLs and slugs WDTK uses and foibot hands to people.
- `states`: what WDTK's states and events mean, including when the clock starts.
"""
