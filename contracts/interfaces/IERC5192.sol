// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title ERC-5192: minimal soulbound tokens
/// @notice An ERC-721 token that is locked cannot be transferred. Its ERC-165 interface id is
/// `type(IERC5192).interfaceId` (0xb45a3c0e, the selector of `locked`).
interface IERC5192 {
    /// @notice The token became locked; emitted when a locked token is minted.
    /// @param tokenId The token.
    event Locked(uint256 tokenId);

    /// @notice The token became unlocked (transferable again).
    /// @param tokenId The token.
    event Unlocked(uint256 tokenId);

    /// @notice Whether the token is locked.
    /// @dev Requirements:
    /// - `tokenId` exists (ERC-721 `ERC721NonexistentToken` otherwise).
    /// @param tokenId The token.
    function locked(uint256 tokenId) external view returns (bool);
}
