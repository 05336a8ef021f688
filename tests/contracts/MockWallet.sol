// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice A minimal EIP-1271 contract wallet for tests: a signature is valid when its owner
/// signed the digest, and can be switched off to test refusals.
contract MockWallet is IERC1271 {
    address public immutable owner;
    bool public accepting = true;

    constructor(address owner_) {
        owner = owner_;
    }

    function setAccepting(bool accepting_) external {
        require(msg.sender == owner, "owner only");
        accepting = accepting_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (address signer,,) = ECDSA.tryRecoverCalldata(digest, signature);
        return accepting && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }
}
