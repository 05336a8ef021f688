// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title RegistryRoles
/// @notice The single place where a deployment's roles live, and the registry's identity: it
/// names the registry's own contracts, so that a verifier holding only this contract's address
/// (published by the registration center) can tell the registry's evidence contract from a
/// look-alike anyone could deploy. The admin is transferred in two steps with a delay
/// (OpenZeppelin default-admin rules); the admin grants REGISTRAR, REVIEWER, ANCHORER and
/// MODULE. Every other contract of the registry asks this one.
contract RegistryRoles is AccessControlDefaultAdminRules {
    /// @dev Each name's contract now; and every contract ever named, so that what a former one
    /// recorded (receipts, certificates) still checks after the registry moves to a new one.
    mapping(bytes32 name => address) private _named;
    mapping(address account => bytes32) private _nameOf;

    /// @notice The block this contract was deployed in: every role of the registry was granted
    /// at or after it, so a verifier reads the role logs from here, not from block 0 (nodes
    /// commonly cap an `eth_getLogs` range at 10,000 blocks).
    uint256 public immutable deploymentBlock = block.number;

    /// @notice `contractAddress` is the registry's contract called `name` from now on.
    /// @param name The contract's name, ASCII right-padded with zeros (e.g. "EvidenceAnchor").
    /// @param contractAddress The contract.
    /// @param previous The contract of that name before, zero if none (it stays the registry's).
    event ContractNamed(bytes32 indexed name, address indexed contractAddress, address previous);

    /// @notice A name or an address that cannot be named: zero, or an address with no code.
    /// @param name The name given.
    /// @param contractAddress The address given.
    error InvalidContractName(bytes32 name, address contractAddress);

    /// @notice The address was already named otherwise: one contract, one name.
    /// @param contractAddress The address.
    /// @param name The name it has.
    error ContractAlreadyNamed(address contractAddress, bytes32 name);

    /// @param adminDelay Seconds a scheduled admin transfer must wait before it can be accepted.
    /// @param admin The first admin.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}

    /// @notice Names `contractAddress` the registry's contract called `name`.
    /// @dev Requirements:
    /// - the caller is the admin;
    /// - `name` is not zero and `contractAddress` has code ({InvalidContractName});
    /// - `contractAddress` has no other name ({ContractAlreadyNamed}).
    ///
    /// Emits a {ContractNamed} event.
    function nameContract(bytes32 name, address contractAddress) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (name == bytes32(0) || contractAddress.code.length == 0) {
            revert InvalidContractName(name, contractAddress);
        }
        bytes32 had = _nameOf[contractAddress];
        if (had != bytes32(0) && had != name) revert ContractAlreadyNamed(contractAddress, had);
        address previous = _named[name];
        _named[name] = contractAddress;
        _nameOf[contractAddress] = name;
        emit ContractNamed(name, contractAddress, previous);
    }

    /// @notice The registry's contract called `name` now; zero if none.
    function contractOf(bytes32 name) external view returns (address) {
        return _named[name];
    }

    /// @notice The name `account` was given as one of the registry's contracts, now or before;
    /// zero if it never was one (a look-alike).
    function nameOf(address account) external view returns (bytes32) {
        return _nameOf[account];
    }
}
