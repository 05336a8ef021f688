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

/// @notice Every party's consent to a joint act: each signs the same act under one `nonce` and
/// `deadline`, the first signer's nonce, spent once, so a further signer writes no nonce of its
/// own. `signatures[i]` is the i-th signer's (ECDSA, or EIP-1271 for a contract wallet); empty
/// where that signer sends the act itself. The signers are, in order: for an application, its
/// right-holders; for a transfer, each share's transferor then transferee; for an act on a
/// registered asset (change, renewal, pledge, cancellation, supplements, proof), its holder and
/// then every co-holder, named in `coHolders` in ascending address order (the contract keeps
/// their count, not their list). `coHolders` is read only by acts on a registered asset.
struct JointConsent {
    uint256 deadline;
    uint256 nonce;
    bytes[] signatures;
    address[] coHolders;
}

/// @title Errors shared by every contract that accepts a holder's consent.
interface IConsentErrors {
    /// @notice The signature's deadline has passed: the holder must sign the act again.
    /// @param deadline The consent's deadline (Unix seconds), earlier than the block's time.
    error ConsentExpired(uint256 deadline);

    /// @notice The signature is not `signer`'s over this act and nonce (wrong signer, replayed,
    /// or an altered act).
    /// @param signer The holder whose consent the act needs.
    error InvalidConsent(address signer);

    /// @notice The caller is not `holder` and brought no signature of theirs.
    /// @param holder The holder whose consent the act needs.
    /// @param caller The account that sent the act.
    error NotHolder(address holder, address caller);

    /// @notice `primaryType` is not an EIP-712 type this contract verifies.
    /// @param primaryType The type name asked for.
    error UnknownType(string primaryType);
}

/// @title The EIP-712 side of a contract that accepts holders' consents: what a signer needs to
/// check that it signs what the contract verifies.
interface IHolderConsent is IConsentErrors {
    /// @notice The EIP-712 domain separator of this contract (ERC-5267 `eip712Domain` gives its
    /// fields).
    function DOMAIN_SEPARATOR() external view returns (bytes32);

    /// @notice The EIP-712 type hash (`keccak256` of the encoded type, referenced structs
    /// appended) this contract verifies consents of `primaryType` against, e.g. "Transfer".
    /// @dev One look-up rather than a getter per type (as EAS has): every added function shifts
    /// the selector dispatch of the acts, and six getters on AssetRegistry cost 22 to 66 gas more
    /// on 12 of its 17 acts; this selector leaves their dispatch as it was.
    ///
    /// Requirements:
    /// - `primaryType` is a type this contract verifies ({UnknownType} otherwise).
    /// @param primaryType The EIP-712 primary type's name.
    function typeHash(string calldata primaryType) external pure returns (bytes32);
}
