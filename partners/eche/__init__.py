"""ECHE (Erasmus Charter for Higher Education): the registry of imported lists, the sources, and the checks.

Status of an organisation, exactly as ELIGIBILITY.md defines it:

- ``not_required``: not an HEI, or an HEI whose effective country (a territory counts as its Member State) is
  a third country not associated to the Programme. Because a country can be associated under one edition
  only (CH, GB in 2027), an HEI is looked up whenever its country is a Member State or associated in its base
  status *or* in what the apps above answer to ``partners.signals.charter_countries_requested`` (eligibility
  answers with its editions' overrides: partners never reads eligibility). ``not_required`` is stored only
  for HEIs from countries that are third-not-associated everywhere; elsewhere the registry's real answer is
  kept, and the rules decide per edition whether it matters.
- ``pending``: not checked yet, or no list imported.
- ``valid``: a holder in the current list matches and its end date is today or later (a charter whose start
  is still ahead counts); ``expired``: a holder matches but its end date has passed. "Today" is the local date
  of ``settings.TIME_ZONE``.
- ``not_found``: no holder matches; ``error``: the source could not be read (after the task's retries).

Matching falls through: normalised Erasmus code, then PIC, then OID; the first identifier that matches any
holder decides; when it matches several holders, ``valid`` if any of them is valid.

The modules, bottom to top: ``models`` (the registry: imported lists, their holders, upload jobs),
``decision`` (pure: a status from what a source found), ``sources`` (the imported registry, or an HTTP
service shaped like the public ECHE List API, chosen by ``settings.ECHE_SOURCE``), ``services`` (checking,
queueing, re-checking every HEI), ``directory`` (the holders as verified directory records),
``list_storage`` (storing an imported list), and the reader of the Commission's file: ``list_reader`` with
``list_format``, ``list_cells`` and ``list_rows``.
"""
