"""What the builder's services tell the apps above them (`invitations`), which connect in `ready()`."""

from django.dispatch import Signal

# A confirmed participant's role changed, so its confirmation (given for the old role) no longer holds: it is
# proposed again. Sent in the transaction of the change, with `participation`, `actor` and `from_role`.
confirmation_withdrawn = Signal()
