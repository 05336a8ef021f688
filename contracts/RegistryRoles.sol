// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

/// @title RegistryRoles
/// @notice The single place where a deployment's roles live. The admin is transferred in two steps
/// with a delay (OpenZeppelin default-admin rules); the admin grants REGISTRAR, REVIEWER, ANCHORER
/// and MODULE. Every other contract of the registry asks this one.
contract RegistryRoles is AccessControlDefaultAdminRules {
    /// @param adminDelay Seconds a scheduled admin transfer must wait before it can be accepted.
    /// @param admin The first admin.
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {}
}
