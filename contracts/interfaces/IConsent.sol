// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice A holder's consent to an act: either the holder sends the transaction itself (empty
/// signature), or anyone relays the holder's EIP-712 signature (ECDSA for accounts, EIP-1271 for
/// contract wallets) over the act, the holder's current nonce and `deadline`.
struct Consent {
    uint256 deadline;
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
