// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

/// @title RoleGated
/// @notice Checks the caller's role against the deployment's RegistryRoles contract, so that one
/// admin and one set of grants govern every contract of the registry.
abstract contract RoleGated {
    IAccessControl private immutable _roles;

    /// @dev The zero address was given where a contract or account is required.
    error ZeroAddress();

    constructor(IAccessControl roles_) {
        if (address(roles_) == address(0)) revert ZeroAddress();
        _roles = roles_;
    }

    modifier onlyRole(bytes32 role) {
        _checkRole(role, msg.sender);
        _;
    }

    /// @notice The RegistryRoles contract this contract takes its roles from.
    function roles() external view returns (IAccessControl) {
        return _roles;
    }

    function _hasRole(bytes32 role, address account) internal view returns (bool) {
        return _roles.hasRole(role, account);
    }

    function _checkRole(bytes32 role, address account) internal view {
        if (!_roles.hasRole(role, account)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(account, role);
        }
    }
}
