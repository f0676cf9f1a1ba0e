"""Records of what happens to items as they arrive, besides being stored: pushes from WebSub
hubs, rules and their labels, full articles, notification targets (``docs/arrival.md``).

Apart from ``types`` so that each module stays one concept; like ``types``, frozen dataclasses
named for their place in the flow.
"""

from __future__ import annotations
