// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {
    Agreement,
    AgreementStatus,
    Checkpoint,
    IRecognitionRegistry,
    Recognition,
    RecognitionRequest
} from "./interfaces/IRecognitionRegistry.sol";
import {RoleGated} from "./access/RoleGated.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title RecognitionRegistry
/// @notice This region's record of which partner certificates it recognises (互认), and why.
contract RecognitionRegistry is IRecognitionRegistry, RoleGated {
    using EnumerableSet for EnumerableSet.AddressSet;

    uint8 private constant _VALID = 1;
    bytes32 private constant _DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _STANDING_TYPEHASH = keccak256(
        "Standing(uint256 certificateId,address holder,uint64 assetId,bytes32 manifestHash,uint8 kind,"
        "uint8 classification,uint40 issuedAt,uint40 expiresAt,uint8 status,bool frozen,uint64 successor,"
        "uint16 annotations,address pledgee,bytes32 grantId,uint64 originBlock,bytes32 blockHash)"
    );
    bytes32 private constant _NAME_HASH = keccak256("DataRegistryCertificate");
    bytes32 private constant _VERSION_HASH = keccak256("1");

    mapping(uint24 region => Agreement) private _agreements;
    mapping(uint24 region => EnumerableSet.AddressSet) private _keys;
    mapping(uint24 region => mapping(uint64 number => Checkpoint)) private _checkpoints;
    mapping(uint24 region => uint64) private _heads;
    mapping(uint24 region => mapping(uint256 certificateId => Recognition)) private _recognitions;

    constructor(IAccessControl roles_) RoleGated(roles_) {}

    /// @inheritdoc IRecognitionRegistry
    function setAgreement(uint24 region, Agreement calldata agreement, address[] calldata keys)
        external
        onlyRole(Roles.ADMIN)
    {
        if (
            agreement.chainId == 0 || agreement.certificates == address(0) || agreement.assets == address(0)
                || agreement.validUntil <= agreement.validFrom || agreement.anchorHash == bytes32(0)
                || agreement.status == AgreementStatus.None || agreement.anchorNumber == 0 || agreement.maxAge == 0
                || keys.length == 0
        ) revert InvalidAgreement();
        Agreement storage current = _agreements[region];
        // A new anchor restarts the header chain; the same anchor keeps the checkpoints relayed.
        if (current.anchorHash != agreement.anchorHash || current.anchorNumber != agreement.anchorNumber) {
            _heads[region] = 0;
        }
        _agreements[region] = agreement;
        EnumerableSet.AddressSet storage set = _keys[region];
        for (uint256 i = set.length(); i > 0; --i) {
            address old = set.at(i - 1);
            if (set.remove(old)) emit PartnerKeySet(region, old, false);
        }
        for (uint256 i = 0; i < keys.length; ++i) {
            if (set.add(keys[i])) emit PartnerKeySet(region, keys[i], true);
        }
        emit AgreementSet(region, agreement.chainId, agreement.certificates, agreement.validFrom, agreement.validUntil);
        emit AgreementStatusChanged(region, agreement.status);
    }

    /// @inheritdoc IRecognitionRegistry
    function setAgreementStatus(uint24 region, AgreementStatus status) external onlyRole(Roles.ADMIN) {
        Agreement storage a = _known(region);
        if (status == AgreementStatus.None) revert InvalidAgreement();
        a.status = status;
        emit AgreementStatusChanged(region, status);
    }

    /// @inheritdoc IRecognitionRegistry
    function relayHeaders(uint24 region, bytes[] calldata headers) external onlyRole(Roles.MEDIATOR) {
        Agreement storage a = _known(region);
        uint64 last = _heads[region];
        bytes32 lastHash = last == 0 ? bytes32(0) : _checkpoints[region][last].blockHash;
        for (uint256 i = 0; i < headers.length; ++i) {
            (last, lastHash) = _relay(region, headers[i], a, last, lastHash);
        }
        _heads[region] = last;
    }

    /// @inheritdoc IRecognitionRegistry
    function record(RecognitionRequest calldata r, bytes calldata standingSignature)
        external
        onlyRole(Roles.MEDIATOR)
    {
        Agreement storage a = _known(r.region);
        _requireInForce(r.region, a);
        Checkpoint storage point = _checkpoints[r.region][r.proofBlock];
        if (point.blockHash == bytes32(0)) revert UnknownCheckpoint(r.region, r.proofBlock);
        if ((a.classifications >> r.classification) & 1 == 0 || (a.kinds >> r.kind) & 1 == 0) {
            revert OutOfScope(r.classification, r.kind);
        }
        // The partner's registrar signed this standing at this block: the mediator cannot.
        address signer = ECDSA.recover(_standingDigest(r, a, point.blockHash), standingSignature);
        if (!_keys[r.region].contains(signer)) revert UnattestedStanding(r.region, r.certificateId, signer);
        Recognition storage rec = _recognitions[r.region][r.certificateId];
        if (rec.proofBlock > r.proofBlock) revert StaleProof(r.proofBlock, rec.proofBlock);
        bool recognised = r.originStatus == _VALID && !r.frozen;
        // The partner's clock (inForce) is not enough: the origin's may be past the term.
        if (recognised && point.timestamp >= a.validUntil) {
            revert OutsideTermAtOrigin(r.region, point.timestamp, a.validUntil);
        }
        _store(rec, r, recognised);
    }

    /// @inheritdoc IRecognitionRegistry
    function getAgreement(uint24 region_) external view returns (Agreement memory) {
        return _agreements[region_];
    }

    /// @inheritdoc IRecognitionRegistry
    function partnerKeys(uint24 region_) external view returns (address[] memory) {
        return _keys[region_].values();
    }

    /// @inheritdoc IRecognitionRegistry
    function inForce(uint24 region_) public view returns (bool) {
        Agreement storage a = _agreements[region_];
        return a.status == AgreementStatus.Active && block.timestamp >= a.validFrom && block.timestamp < a.validUntil;
    }

    /// @inheritdoc IRecognitionRegistry
    function head(uint24 region_) external view returns (uint64 number, Checkpoint memory checkpoint) {
        number = _heads[region_];
        checkpoint = _checkpoints[region_][number];
    }

    /// @inheritdoc IRecognitionRegistry
    function getCheckpoint(uint24 region_, uint64 number) external view returns (Checkpoint memory) {
        return _checkpoints[region_][number];
    }

    /// @inheritdoc IRecognitionRegistry
    function getRecognition(uint24 region_, uint256 certificateId) external view returns (Recognition memory) {
        return _recognitions[region_][certificateId];
    }

    /// @dev Checks one header's linkage to the last (or, first of all, that it is the anchor)
    /// and keeps it as a checkpoint.
    function _relay(uint24 region, bytes calldata header, Agreement storage a, uint64 last, bytes32 lastHash)
        private
        returns (uint64 number, bytes32 blockHash)
    {
        blockHash = keccak256(header);
        bytes32 parentHash;
        bytes32 stateRoot;
        uint40 timestamp;
        (parentHash, stateRoot, number, timestamp) = _parse(header);
        if (last == 0) {
            if (number != a.anchorNumber || blockHash != a.anchorHash) {
                revert BrokenLinkage(number, blockHash, a.anchorHash);
            }
        } else if (number != last + 1 || parentHash != lastHash) {
            revert BrokenLinkage(number, parentHash, lastHash);
        }
        _checkpoints[region][number] = Checkpoint(blockHash, stateRoot, timestamp);
        emit CheckpointRelayed(region, number, blockHash, stateRoot);
    }

    /// @dev Keeps the standing `r`. A recognition withdrawn and granted again starts a new
    /// `recognisedSince`: a freeze's gap must not hide behind the first date.
    function _store(Recognition storage rec, RecognitionRequest calldata r, bool recognised) private {
        if (!recognised) rec.recognisedSince = 0;
        else if (!rec.recognised) rec.recognisedSince = uint40(block.timestamp);
        rec.holder = r.holder;
        rec.assetId = r.assetId;
        rec.manifestHash = r.manifestHash;
        rec.kind = r.kind;
        rec.originStatus = r.originStatus;
        rec.frozen = r.frozen;
        rec.recognised = recognised;
        rec.issuedAt = r.issuedAt;
        rec.expiresAt = r.expiresAt;
        rec.checkedAt = uint40(block.timestamp);
        rec.successor = r.successor;
        rec.proofBlock = r.proofBlock;
        rec.annotations = r.annotations;
        rec.pledgee = r.pledgee;
        rec.grantId = r.grantId;
        emit RecognitionRecorded(
            r.region, r.certificateId, r.holder, recognised, r.originStatus, r.frozen, r.annotations, r.proofBlock
        );
    }

    function _known(uint24 region_) private view returns (Agreement storage a) {
        a = _agreements[region_];
        if (a.status == AgreementStatus.None) revert UnknownPartner(region_);
    }

    function _requireInForce(uint24 region_, Agreement storage a) private view {
        if (!inForce(region_)) revert AgreementNotInForce(region_, a.status, a.validFrom, a.validUntil);
    }

    /// @dev The EIP-712 digest of the standing `r` at the relayed block `blockHash`, under the
    /// partner's certificate domain (its chain and Certificates contract). Encoded in two halves:
    /// sixteen words in one `abi.encode` would pass the stack's reach.
    function _standingDigest(RecognitionRequest calldata r, Agreement storage a, bytes32 blockHash)
        private
        view
        returns (bytes32)
    {
        bytes32 domain = keccak256(abi.encode(_DOMAIN_TYPEHASH, _NAME_HASH, _VERSION_HASH, a.chainId, a.certificates));
        bytes memory claims = abi.encode(
            _STANDING_TYPEHASH,
            r.certificateId,
            r.holder,
            r.assetId,
            r.manifestHash,
            r.kind,
            r.classification,
            r.issuedAt,
            r.expiresAt
        );
        bytes memory standing = abi.encode(
            r.originStatus, r.frozen, r.successor, r.annotations, r.pledgee, r.grantId, r.proofBlock, blockHash
        );
        return MessageHashUtils.toTypedDataHash(domain, keccak256(bytes.concat(claims, standing)));
    }

    /// @dev Reads parentHash, stateRoot, number and timestamp of an RLP block header. The fields
    /// before `difficulty` have fixed sizes; `difficulty`, `number`, `gasLimit` and `gasUsed` are
    /// RLP integers of at most 32 bytes.
    function _parse(bytes calldata h)
        private
        pure
        returns (bytes32 parentHash, bytes32 stateRoot, uint64 number, uint40 timestamp)
    {
        // A list over 255 bytes: 0xf9 and a two-byte length; then parentHash, uncles, miner,
        // stateRoot, transactionsRoot, receiptsRoot (0xa0 + 32 bytes, 0x94 + 20), bloom (0xb90100 + 256).
        if (h.length < 460 || uint8(h[0]) != 0xf9 || uint256(uint8(h[1])) << 8 | uint8(h[2]) != h.length - 3) {
            revert BadHeader(0);
        }
        parentHash = bytes32(h[4:36]);
        stateRoot = bytes32(h[91:123]);
        uint256 at = 448; // after the bloom
        uint256 value;
        (, at) = _integer(h, at); // difficulty
        (value, at) = _integer(h, at);
        number = uint64(value);
        (, at) = _integer(h, at); // gasLimit
        (, at) = _integer(h, at); // gasUsed
        (value, at) = _integer(h, at);
        timestamp = uint40(value);
    }

    function _integer(bytes calldata h, uint256 at) private pure returns (uint256 value, uint256 next) {
        uint8 prefix = uint8(h[at]);
        if (prefix < 0x80) return (prefix, at + 1);
        uint256 size = prefix - 0x80;
        if (size > 32) revert BadHeader(0);
        for (uint256 i = 0; i < size; ++i) {
            value = (value << 8) | uint8(h[at + 1 + i]);
        }
        next = at + 1 + size;
    }
}
