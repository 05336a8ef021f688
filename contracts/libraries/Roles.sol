// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title The roles of a registration center's deployment, held in one RegistryRoles contract.
library Roles {
    /// @dev The admin: OpenZeppelin AccessControl's `DEFAULT_ADMIN_ROLE` (0x00) of RegistryRoles,
    /// which transfers it in two steps. Grants the other roles, wires the modules, sets the
    /// periods, the certificates' base URI and the recognition agreements. Named here because the
    /// registry's contracts ask RegistryRoles rather than inherit AccessControl.
    bytes32 internal constant ADMIN = 0x00;
    /// @dev Registration-center staff: notices, objections, issue, change, transfer, pledge, annotations, revoke.
    bytes32 internal constant REGISTRAR = keccak256("REGISTRAR_ROLE");
    /// @dev Formal and substantive review of applications.
    bytes32 internal constant REVIEWER = keccak256("REVIEWER_ROLE");
    /// @dev Anchors evidence hashes and Merkle roots.
    bytes32 internal constant ANCHORER = keccak256("ANCHORER_ROLE");
    /// @dev The mediator of cross-region recognition: relays partner headers, records recognitions.
    bytes32 internal constant MEDIATOR = keccak256("MEDIATOR_ROLE");
    /// @dev The registry's own contracts, allowed to mint and update certificates and (the annotations
    /// module) to set an asset's `frozen` bit.
    bytes32 internal constant MODULE = keccak256("MODULE_ROLE");
}
