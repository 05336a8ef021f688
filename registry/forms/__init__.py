"""The national forms (guide annexes 1-5) as models: the application form, which is the
manifest's model, and the transfer, change, renewal and cancellation forms; each split into its
public part (art. 24) and per-field salted commitments of the rest (``registry.forms.public``).
Import the modules themselves: ``registry.content.manifest`` uses ``codes``."""
