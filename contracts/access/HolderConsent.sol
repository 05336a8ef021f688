// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {Consent, IHolderConsent} from "../interfaces/IConsent.sol";

/// @title HolderConsent
/// @notice Verifies that a holder consents to an act: by sending it, or by an EIP-712 signature
/// (EOA or EIP-1271 wallet) with a nonce and a deadline that anyone may relay.
abstract contract HolderConsent is EIP712, NoncesKeyed, IHolderConsent {
    constructor(string memory name, string memory version) EIP712(name, version) {}

    /// @inheritdoc IHolderConsent
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @dev True when the signer sends the act itself (no signature); reverts when someone else
    /// sends it without one.
    function _isDirect(address signer, Consent calldata consent) internal view returns (bool) {
        if (consent.signature.length != 0) return false;
        if (msg.sender != signer) revert NotHolder(signer, msg.sender);
        return true;
    }

    /// @dev `typedPrefix` is `abi.encode(TYPEHASH, field1, ..)` of the act's static fields; the
    /// consent's nonce and deadline complete the struct, in that order. The nonce is spent here.
    function _verifySignature(address signer, Consent calldata consent, bytes memory typedPrefix) internal {
        bytes32 digest = _spendAndDigest(signer, consent.nonce, consent.deadline, typedPrefix);
        _checkSignature(signer, digest, consent.signature);
    }

    /// @dev Checks the deadline, spends `owner`'s nonce and returns the EIP-712 digest of the act.
    function _spendAndDigest(address owner, uint256 nonce, uint256 deadline, bytes memory typedPrefix)
        internal
        returns (bytes32)
    {
        if (block.timestamp > deadline) revert ConsentExpired(deadline);
        _useCheckedNonce(owner, nonce);
        return _hashTypedDataV4(keccak256(bytes.concat(typedPrefix, abi.encode(nonce, deadline))));
    }

    /// @dev ECDSA is tried first: a signature that recovers to the signer is its key's (an
    /// account's, or an EIP-7702 account's), and this spares the signer's cold EXTCODESIZE
    /// (2,600 gas) that OpenZeppelin's `isValidSignatureNow` reads first, on every signed act.
    /// Any other signature goes to the signer's EIP-1271 wallet, as before.
    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) internal view {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return;
        if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
            revert InvalidConsent(signer);
        }
    }
}
