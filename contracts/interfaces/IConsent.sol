// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice A holder's consent to an act: either the holder sends the transaction itself (empty
/// signature), or anyone relays the holder's EIP-712 signature (ECDSA for accounts, EIP-1271 for
/// contract wallets) over the act, `nonce` and `deadline`.
/// @dev `nonce` is keyed (OpenZeppelin `NoncesKeyed`): `key << 64 | sequence`. Each key counts on
/// its own, so consents under different keys can be used in any order (a holder may sign many acts
/// at once, each under a fresh random key); key 0 is the plain sequential nonce. Every nonce is
/// used once: a replay reverts with `InvalidAccountNonce`.
struct Consent {
    uint256 deadline;
    uint256 nonce;
    bytes signature;
}

/// @title Errors shared by every contract that accepts a holder's consent.
interface IConsentErrors {
    /// @dev The signature's deadline has passed.
    error ConsentExpired(uint256 deadline);
    /// @dev The signature is not `signer`'s over this act and nonce (wrong signer, replayed, or altered).
    error InvalidConsent(address signer);
    /// @dev The caller is not `holder` and brought no signature of theirs.
    error NotHolder(address holder, address caller);
}
