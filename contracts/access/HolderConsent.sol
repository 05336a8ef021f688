// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
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
        if (block.timestamp > consent.deadline) revert ConsentExpired(consent.deadline);
        _useCheckedNonce(signer, consent.nonce);
        bytes32 structHash = keccak256(bytes.concat(typedPrefix, abi.encode(consent.nonce, consent.deadline)));
        if (!SignatureChecker.isValidSignatureNow(signer, _hashTypedDataV4(structHash), consent.signature)) {
            revert InvalidConsent(signer);
        }
    }
}
