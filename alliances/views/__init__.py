"""Proposal pages and the consortium builder. Thin: forms validate, services write, selectors read.

Every view looks the proposal up through `proposal_get_for_user`, so anyone but the owner and co-editors
gets a 404. htmx requests get fragments rendered from the same partial templates as the full page;
other requests get the full page or a redirect, so every action also works without JavaScript.

- `proposals`: the home page, the proposal's details and co-editors, archiving; the organisation page.
- `builder`: the builder page and the fragments it loads or refreshes (table, panel, suggestions...).
- `participants`: adding, changing and removing participants, and the directory search.
- `exports`: CSV, Excel and the printable summary.
- `curation`: corrections of directory records from the organisation page, and their outcomes.
- `archived`: the refusal of every change to an archived proposal (decorators the other modules use).
"""
