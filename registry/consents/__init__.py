"""Consent requests (待持有人同意): an act the registration center drafts (change,
renewal, pledge, cancellation, a licence grant) waits here for the holder's EIP-712 signature,
which the holder makes wherever their key is and sends back; then the registrar relays it."""

from registry.consents.store import ConsentRequest, ConsentRequests, typed_data_for

__all__ = ["ConsentRequest", "ConsentRequests", "typed_data_for"]
