"""The mediator (互认中介): follows each partner region's chain and keeps this region's record of
the partner's certificates true.

Each partner is followed by a thread of its own, with a short timeout on every call, so one
silent partner delays no other. Each round: relay the partner's new block headers here (each
checked to hash to its block, the chain checks their parent linkage), read which certificates
changed from the partner's events (and which expired, or left the agreement's term, by the
partner's clock), and for each one prove its standing from the partner's storage (EIP-1186)
against the state root of a relayed header, fetch the partner registrar's EIP-712 signature of
that standing at that block (``registry.recognition.standing``), check it against the proof and
the agreement's keys, and record both here: the contract accepts no standing without it. Then,
and only then, the round is kept as the partner's freshness (its block, that block's time, and
when it was read): an answer rests on it, and is stale once it is older than the agreement's
``maxAge``. Rechecks asked for come after the changes, a few per round, so a withdrawal never
waits behind them; last, the public manifests of what the round recorded are fetched for the
names a page shows, kept only when they hash to the proven manifest word.

Its acts need no outbox: relaying the same headers again is refused by the linkage check, and a
record is re-derived from the partner chain each time, so a crash loses nothing a later round
does not redo."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx
from eth_account.signers.local import LocalAccount
from eth_typing import ABIEvent
from eth_utils.abi import event_abi_to_log_topic
from web3 import Web3
from web3.exceptions import Web3Exception

from registry.certificates.numbers import center_of, format_number
from registry.chain import Registry
from registry.chain.compiler import Artifact
from registry.chain.recognition import (
    Agreement,
    AgreementStatus,
    Checkpoint,
    RecognitionRequest,
)
from registry.chain.types import CertificateStatus, checksum
from registry.content.cid import Cid
from registry.journal import open_journal
from registry.recognition.headers import verified_header
from registry.recognition.origin import OriginState, fetch_proofs, verify_proofs
from registry.recognition.standing import domain_of, standing_message, standing_signer
from registry.regions import Center, center_of_region

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scanned (region INTEGER PRIMARY KEY, block INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reachability (
    region INTEGER PRIMARY KEY, reachable INTEGER NOT NULL, since REAL NOT NULL, detail TEXT
);
CREATE TABLE IF NOT EXISTS requests (
    region INTEGER NOT NULL, token_id TEXT NOT NULL, requested_at REAL NOT NULL,
    PRIMARY KEY (region, token_id)
);
CREATE TABLE IF NOT EXISTS certificate_checks (
    region INTEGER NOT NULL, token_id TEXT NOT NULL, asset_id INTEGER,
    block INTEGER, expires_at INTEGER, status TEXT, refused TEXT, evidence TEXT,
    checked_at REAL NOT NULL,
    PRIMARY KEY (region, token_id)
);
CREATE INDEX IF NOT EXISTS certificate_checks_asset ON certificate_checks (region, asset_id);
CREATE TABLE IF NOT EXISTS freshness (
    region INTEGER PRIMARY KEY, block INTEGER NOT NULL, block_time INTEGER NOT NULL,
    checked_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deferred (
    region INTEGER NOT NULL, token_id TEXT NOT NULL, PRIMARY KEY (region, token_id)
);
CREATE TABLE IF NOT EXISTS agreements (region INTEGER PRIMARY KEY, terms TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS proofs (
    region INTEGER NOT NULL, token_id TEXT NOT NULL, block INTEGER NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (region, token_id, block)
);
CREATE TABLE IF NOT EXISTS certificate_reads (
    region INTEGER NOT NULL, token_id TEXT NOT NULL, block INTEGER NOT NULL,
    block_time INTEGER NOT NULL, read_at REAL NOT NULL,
    PRIMARY KEY (region, token_id)
);
CREATE TABLE IF NOT EXISTS manifests (hash TEXT PRIMARY KEY, document TEXT NOT NULL);
"""
HEADERS_PER_TX = 32
RECHECKS_PER_ROUND = 16
"""Rechecks asked for that one round takes on, after every change: each costs two proofs from
the partner, and a round must stay short for the partner's answers to stay fresh."""


@dataclass(frozen=True)
class Partner:
    """How to reach a partner region: its chain's JSON-RPC and its registry's API."""

    region: int
    rpc_url: str
    api_url: str
    # Its center's code (``370``), read from its Certificates contract when the agreement was
    # made; None in a partners file written before certificate numbers carried the center.
    center: str | None = None
    # Its Annotations contract, from its descriptor at the agreement: the annotations' words
    # are proven from it. None in a partners file written before annotations were proven.
    annotations: str | None = None

    @property
    def serving(self) -> Center:
        """The center whose numbers the partner's certificates carry."""
        return center_of_region(self.region) if self.center is None else Center.of(self.center)


def load_partners(path: Path) -> list[Partner]:
    if not path.exists():
        return []
    return [Partner(**p) for p in json.loads(path.read_text(encoding="utf-8"))]


def save_partner(path: Path, partner: Partner) -> None:
    partners = {p.region: p for p in load_partners(path)}
    partners[partner.region] = partner
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps([vars(p) for p in partners.values()], indent=2) + "\n", encoding="utf-8"
    )


@dataclass(frozen=True)
class Point:
    """The partner block a round proves against: its relayed checkpoint, its RLP header, and
    when the partner's head was read here (Unix seconds, taken before the read)."""

    block: int
    checkpoint: Checkpoint
    header: str
    read_at: float

    @property
    def read(self) -> Freshness:
        """What a standing proven at this point rests on."""
        return Freshness(self.block, self.checkpoint.timestamp, self.read_at)


@dataclass(frozen=True)
class Freshness:
    """The last round that read a partner's chain and recorded every change up to ``block``:
    the block, its time by the partner's clock, and when it was read (Unix seconds, here)."""

    block: int
    block_time: int
    checked_at: float


def _status(state: OriginState) -> str:
    """A proven certificate's standing as the journal keeps it."""
    return "frozen" if state.frozen else state.status.name.lower()


class RefusedError(Exception):
    """A partner certificate this region will not recognise, and why (a slug and a detail)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class UnreachableError(Exception):
    """The partner chain or registry did not answer."""


class NotYetError(Exception):
    """The partner's registry has not indexed the certificate yet: try again next round."""


def check_standing(
    signed: dict[str, Any],
    state: OriginState,
    checkpoint: Checkpoint,
    agreement: Agreement,
    keys: Iterable[str],
) -> bytes:
    """The origin registrar's signature of ``state``, once it is shown to be under the
    partner's certificate domain, over exactly the standing the storage proof shows at the
    relayed block, by a key of the agreement (what ``record`` checks again on chain)."""
    domain = signed.get("domain") or {}
    expected = domain_of(agreement.chain_id, agreement.certificates)
    if (
        domain.get("name") != expected["name"]
        or int(domain.get("chainId", -1)) != agreement.chain_id
        or str(domain.get("verifyingContract", "")).lower() != agreement.certificates.lower()
    ):
        raise RefusedError("foreign-attestation", f"signed for another registry: {domain}")
    proven = standing_message(state, checkpoint.block_hash)
    stated = signed.get("message") or {}
    if _normal(stated) != _normal(proven):
        raise RefusedError(
            "attestation-mismatch", f"signed {stated}, the origin's storage shows {proven}"
        )
    try:
        signature = bytes.fromhex(str(signed["signature"]).removeprefix("0x"))
        signer = standing_signer(proven, expected, signature)
    except (KeyError, TypeError, ValueError) as exc:
        raise RefusedError("forged-attestation", f"no valid signature: {exc}") from None
    if signer.lower() not in {k.lower() for k in keys}:
        raise RefusedError(
            "attestor-not-in-agreement", f"signed by {signer}, not a key of the agreement"
        )
    return signature


def _normal(message: dict[str, Any]) -> dict[str, str]:
    """A standing's fields compared as lower-case text (addresses and hashes in any case)."""
    return {k: str(v).lower() for k, v in message.items()}


def recognition_request(region: int, state: OriginState) -> RecognitionRequest:
    """What is recorded of a proven certificate: its storage at the proof block."""
    return RecognitionRequest(
        region=region,
        certificate_id=state.token_id,
        holder=state.holder,
        asset_id=state.asset_id,
        manifest_hash=bytes.fromhex(state.manifest_hash[2:]),
        kind=state.kind,
        classification=state.classification,
        issued_at=state.issued_at,
        expires_at=state.expires_at,
        origin_status=int(state.status),
        frozen=state.frozen,
        successor=state.successor,
        proof_block=state.block,
        annotations=state.annotations_in_force,
        pledgee=state.pledgee,
        grant_id=bytes.fromhex(state.grant_id[2:]),
    )


class Mediator:
    def __init__(
        self,
        registry: Registry,
        artifacts: dict[str, Artifact],
        sender: LocalAccount,
        partners_file: Path,
        journal: Path,
        *,
        poll: float = 0.5,
        rpc_timeout: float = 1.0,
        queue_limit: int = 200,
    ) -> None:
        if registry.recognition is None:
            raise ValueError("this deployment has no RecognitionRegistry")
        self.registry = registry
        self.recognition = registry.recognition
        self.sender = sender
        self.partners_file = partners_file
        self.poll = poll
        self.rpc_timeout = rpc_timeout
        self.queue_limit = queue_limit
        self.db = open_journal(journal, _SCHEMA)
        self._lock = threading.Lock()
        # The partners' threads share one sender: its nonce allows one transaction at a time.
        self._sending = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._topics: dict[bytes, dict[str, Any]] = {}
        self._block_times: dict[int, int] = {}
        # Per region, the manifests (hash -> asset id) of standings recorded this round that
        # have no names here yet: fetched at the round's end (kept in memory only; a later
        # check of the certificate asks again).
        self._unnamed: dict[int, dict[str, int]] = {}
        for name in ("Certificates", "AssetRegistry"):
            for item in artifacts[name].abi:
                if item["type"] == "event":
                    self._topics[event_abi_to_log_topic(cast(ABIEvent, item))] = item

    # ------------------------------------------------------------------ running

    def partners(self) -> list[Partner]:
        return load_partners(self.partners_file)

    def block_time(self, number: int) -> int:
        """When block ``number`` of this region's chain was mined (kept: blocks do not change
        their time, and a history reads the same few again and again)."""
        with self._lock:
            known = self._block_times.get(number)
        if known is None:
            known = int(self.registry.chain.w3.eth.get_block(number)["timestamp"])
            with self._lock:
                self._block_times[number] = known
        return known

    def serving(self, region: int) -> Center:
        """The center whose numbers ``region``'s certificates carry: its partner's, or by the
        region alone (``registry.regions.center_of_region``) where it has no agreement."""
        found = next((p for p in self.partners() if p.region == region), None)
        return center_of_region(region) if found is None else found.serving

    def start(self) -> Mediator:
        self._thread = threading.Thread(target=self._run, name="mediator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def close(self) -> None:
        self.stop()
        self.db.close()

    def _run(self) -> None:
        """Keeps one thread following each partner in the partners file (one added while
        running is followed from the next poll)."""
        followers: dict[int, threading.Thread] = {}
        while not self._stop.is_set():
            for partner in self.partners():
                thread = followers.get(partner.region)
                if thread is None or not thread.is_alive():
                    thread = threading.Thread(
                        target=self._follow,
                        args=(partner.region,),
                        name=f"mediator-{partner.region}",
                        daemon=True,
                    )
                    followers[partner.region] = thread
                    thread.start()
            self._stop.wait(self.poll)
        for thread in followers.values():
            thread.join(10)

    def _follow(self, region: int) -> None:
        while not self._stop.is_set():
            partner = next((p for p in self.partners() if p.region == region), None)
            if partner is None:
                logger.info("region %s: no longer a partner; not followed", region)
                return
            try:
                self.round(partner)
            except Exception:  # a round's trouble must not end the partner's thread
                logger.exception("mediating region %s failed; next round", region)
            self._stop.wait(self.poll)

    def _origin(self, partner: Partner) -> Web3:
        # No retries and a short timeout: a silent origin must show as stale within the bound,
        # not after web3's back-off.
        return Web3(
            Web3.HTTPProvider(
                partner.rpc_url,
                request_kwargs={"timeout": self.rpc_timeout},
                exception_retry_configuration=None,
            )
        )

    def round(self, partner: Partner) -> None:
        """Re-checks what changed at the partner, relaying its headers first when there is
        anything to check (relaying idle chains to each other would only make blocks); keeps
        the round as the partner's freshness; then takes on a few of the rechecks asked for."""
        agreement = self.recognition.get_agreement(partner.region)
        if agreement.status == AgreementStatus.NONE:
            return
        self._recheck_refused_if_renewed(partner.region, agreement)
        w3 = self._origin(partner)
        read_at = time.time()
        try:
            latest = w3.eth.get_block("latest")
            head, head_time = int(latest["number"]), int(latest["timestamp"])
            changed = self._changed(partner.region, agreement, w3, head, head_time)
            asked = [t for t in self._asked(partner.region) if t not in changed]
            point = None
            if changed or asked:
                self._relay(partner.region, agreement, w3, head)
                point = Point(
                    head,
                    self.recognition.checkpoint(partner.region, head),
                    "0x" + verified_header(dict(latest)).hex(),
                    read_at,
                )
        except (OSError, Web3Exception, ValueError) as exc:
            self._reachable(partner.region, False, str(exc))
            return
        self._reachable(partner.region, True, None)
        if point is not None and not self._checked(partner, agreement, w3, sorted(changed), point):
            return
        self._set_scanned(partner.region, head)
        self._set_fresh(partner.region, Freshness(head, head_time, read_at))
        if point is not None:
            self._checked(partner, agreement, w3, asked, point)
        self._name(partner)

    def _checked(
        self, partner: Partner, agreement: Agreement, w3: Web3, tokens: list[int], point: Point
    ) -> bool:
        """Checks ``tokens`` at ``point``; False when the partner stopped answering."""
        for token in tokens:
            try:
                self.check(partner, agreement, w3, token, point)
            except NotYetError:
                logger.info(
                    "region %s: its registry has not indexed certificate %s yet; next round",
                    partner.region,
                    format_number(token),
                )
                self._defer(partner.region, token)
            except UnreachableError as exc:
                self._reachable(partner.region, False, str(exc))
                return False
        return True

    # ------------------------------------------------------------------ one certificate

    def check(
        self, partner: Partner, agreement: Agreement, w3: Web3, token: int, point: Point
    ) -> dict[str, Any]:
        """Proves ``token``'s standing at the partner block of ``point`` and records it here; a
        refusal is kept with its reason. Returns the check as kept."""
        region, block, checkpoint = partner.region, point.block, point.checkpoint
        try:
            material = fetch_proofs(
                w3, agreement.certificates, agreement.assets, token, block, partner.annotations
            )
        except (OSError, Web3Exception) as exc:
            raise UnreachableError(str(exc)) from exc
        evidence: dict[str, Any] = {
            "block": block,
            "checkpoint": {
                "block_hash": "0x" + checkpoint.block_hash.hex(),
                "state_root": "0x" + checkpoint.state_root.hex(),
                "timestamp": checkpoint.timestamp,
            },
            "header": point.header,
            "proofs": material,
        }
        asset_id = None
        try:
            state = verify_proofs(
                material,
                checkpoint.state_root,
                checkpoint.timestamp,
                agreement.certificates,
                agreement.assets,
                partner.annotations,
            )
            asset_id = state.asset_id
            if state.issued_at == 0:
                raise RefusedError("unknown-certificate", f"{format_number(token)} not issued")
            issuer, serving = center_of(token), partner.serving
            if state.region != region or issuer != serving:
                raise RefusedError(
                    "foreign-region",
                    f"{format_number(token)} is numbered by center {issuer} and its asset is "
                    f"recorded for region {state.region}; region {region} is center {serving}",
                )
            if not self.recognition.in_force(region):
                raise RefusedError(
                    "agreement-not-in-force",
                    f"status {agreement.status.name.lower()}, valid "
                    f"{agreement.valid_from}..{agreement.valid_until}",
                )
            if not (agreement.classifications >> state.classification) & 1 or not (
                (agreement.kinds >> state.kind) & 1
            ):
                raise RefusedError(
                    "out-of-scope", f"classification {state.classification}, kind {state.kind}"
                )
            if (
                state.status == CertificateStatus.VALID
                and not state.frozen
                and checkpoint.timestamp >= agreement.valid_until
            ):
                # Issued, or still standing, when the origin's own clock is past the term.
                raise RefusedError(
                    "outside-term-at-origin",
                    f"issued at {state.issued_at} and proven at {checkpoint.timestamp} by the "
                    f"origin's clock; the agreement ends at {agreement.valid_until}",
                )
            withdrawn = state.frozen or state.status != CertificateStatus.VALID
            if withdrawn:
                # Answered at once from the journal: a withdrawal waits neither for the
                # partner's registry nor for this chain (a later refusal only replaces it).
                self._keep(
                    region, token, asset_id, point, state.expires_at, _status(state), None, None
                )
            signature = check_standing(
                self._standing(partner, token, block),
                state,
                checkpoint,
                agreement,
                self.recognition.partner_keys(region),
            )
            # The proof is kept before the record goes on chain: whoever reads the record
            # finds the proof of its block.
            self._keep_proof(region, token, point.read, evidence)
            with self._sending:
                self.recognition.record(self.sender, recognition_request(region, state), signature)
        except RefusedError as refused:
            logger.warning(
                "region %s: certificate %s refused at block %s: %s",
                region,
                format_number(token),
                block,
                refused,
            )
            self._keep(region, token, asset_id, point, None, None, refused, evidence)
            return self.kept(region, token) or {}
        # Its evidence is in `proofs` already; a check's own copy is kept only for a refusal.
        self._keep(region, token, asset_id, point, state.expires_at, _status(state), None, None)
        if self.manifest(state.manifest_hash) is None:
            with self._lock:
                self._unnamed.setdefault(region, {})[state.manifest_hash] = state.asset_id
        if state.successor:
            self._defer(region, state.successor)
        return self.kept(region, token) or {}

    def _standing(self, partner: Partner, token: int, block: int) -> dict[str, Any]:
        """The partner registrar's signed standing of the certificate at ``block``, from the
        partner's registry (its answer is checked against the proof, not trusted)."""
        number = format_number(token)
        try:
            with httpx.Client(base_url=partner.api_url, timeout=self.rpc_timeout) as http:
                answer = http.get(f"/v1/certificates/{number}/standing", params={"block": block})
        except httpx.HTTPError as exc:
            raise UnreachableError(f"partner registry: {exc}") from exc
        if answer.status_code == 404:  # its chain reader is behind the block asked
            raise NotYetError(number)
        if answer.is_error:
            raise UnreachableError(f"partner registry: HTTP {answer.status_code}")
        return dict(answer.json())

    def _name(self, partner: Partner) -> None:
        """Fetches from the partner's registry the public manifests of what this round
        recorded, for the names a page shows (the data's, the holder's), and keeps each only
        when its bytes hash to the manifest word the origin's storage proved and its registrar
        signed. Last in a round: no withdrawal waits on it, and a failure only leaves a page
        without names until the certificate's next check."""
        with self._lock:
            wanted = self._unnamed.pop(partner.region, {})
        for manifest_hash, asset_id in wanted.items():
            try:
                with httpx.Client(base_url=partner.api_url, timeout=self.rpc_timeout) as http:
                    asset = http.get(f"/v1/assets/{asset_id}").raise_for_status().json()
                    cid = Cid(1, int(asset["cid_codec"]), bytes.fromhex(asset["manifest_cid"][2:]))
                    document = http.get(f"/v1/manifests/{cid}").raise_for_status().content
            except (httpx.HTTPError, KeyError, TypeError, ValueError) as exc:
                logger.warning(
                    "region %s: no manifest of asset %s from its registry: %s",
                    partner.region,
                    asset_id,
                    exc,
                )
                continue
            if "0x" + hashlib.sha256(document).hexdigest() != manifest_hash.lower():
                # The asset's manifest changed since the proof, or the registry answered
                # with other bytes: nothing unproven is shown.
                logger.warning(
                    "region %s: asset %s's manifest from its registry is not %s; no names",
                    partner.region,
                    asset_id,
                    manifest_hash,
                )
                continue
            with self._lock:
                self.db.execute(
                    "INSERT OR REPLACE INTO manifests VALUES (?, ?)",
                    (manifest_hash.lower(), document.decode("utf-8")),
                )

    def manifest(self, manifest_hash: str) -> dict[str, Any] | None:
        """A partner's public manifest kept here, by its SHA-256 (``0x`` hex)."""
        with self._lock:
            row = self.db.execute(
                "SELECT document FROM manifests WHERE hash = ?", (manifest_hash.lower(),)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    # ------------------------------------------------------------------ following

    def _relay(self, region: int, agreement: Agreement, w3: Web3, head: int) -> None:
        relayed, _checkpoint = self.recognition.head(region)
        first = agreement.anchor_number if relayed == 0 else relayed + 1
        for start in range(first, head + 1, HEADERS_PER_TX):
            numbers = range(start, min(start + HEADERS_PER_TX, head + 1))
            headers = [verified_header(dict(w3.eth.get_block(n))) for n in numbers]
            with self._sending:
                self.recognition.relay_headers(self.sender, region, headers)

    def _changed(
        self, region: int, agreement: Agreement, w3: Web3, head: int, now: int
    ) -> set[int]:
        """Certificates to re-check first: touched by the partner's events since the last
        round, deferred until its registry indexed them, or expired (or out of the agreement's
        term) by the partner's clock ``now``."""
        scanned = self._scanned(region)
        first = agreement.anchor_number if scanned is None else scanned + 1
        tokens: set[int] = set()
        if first <= head:
            logs = w3.eth.get_logs(
                {
                    "fromBlock": first,
                    "toBlock": head,
                    "address": [checksum(agreement.certificates), checksum(agreement.assets)],
                }
            )
            assets: set[int] = set()
            for entry in logs:
                event = self._topics.get(bytes(entry["topics"][0])) if entry["topics"] else None
                if event is None:
                    continue
                indexed = [i for i in event["inputs"] if i["indexed"]]
                for item, topic in zip(indexed, entry["topics"][1:], strict=False):
                    value = int.from_bytes(bytes(topic), "big")
                    if item["name"] == "certificateId":
                        tokens.add(value)
                    elif item["name"] == "assetId":
                        assets.add(value)
            tokens |= self._tokens_of_assets(region, assets)
        with self._lock:
            for (token,) in self.db.execute(
                "SELECT token_id FROM deferred WHERE region = ?", (region,)
            ).fetchall():
                tokens.add(int(token))
            for (token,) in self.db.execute(
                "SELECT token_id FROM certificate_checks WHERE region = ? AND status = 'valid' "
                "AND (expires_at <= ? OR ? >= ?)",
                (region, now, now, agreement.valid_until),
            ).fetchall():
                tokens.add(int(token))
        return tokens

    def _asked(self, region: int) -> list[int]:
        """The oldest rechecks asked for, a round's worth."""
        with self._lock:
            rows = self.db.execute(
                "SELECT token_id FROM requests WHERE region = ? ORDER BY requested_at LIMIT ?",
                (region, RECHECKS_PER_ROUND),
            ).fetchall()
        return [int(token) for (token,) in rows]

    def _recheck_refused_if_renewed(self, region: int, agreement: Agreement) -> None:
        """When the agreement's terms changed (a renewal, a new scope), asks again for what it
        refused: a refusal quoting the old terms must not outlive them."""
        terms = json.dumps([*agreement.to_abi()[:-1], agreement.anchor_hash.hex()])
        with self._lock:
            row = self.db.execute(
                "SELECT terms FROM agreements WHERE region = ?", (region,)
            ).fetchone()
            if row is not None and row[0] == terms:
                return
            self.db.execute("BEGIN")
            self.db.execute("INSERT OR REPLACE INTO agreements VALUES (?, ?)", (region, terms))
            count = 0
            if row is not None:
                count = self.db.execute(
                    "INSERT OR IGNORE INTO requests SELECT region, token_id, ? "
                    "FROM certificate_checks WHERE region = ? AND refused IS NOT NULL",
                    (time.time(), region),
                ).rowcount
            self.db.execute("COMMIT")
        if row is not None:
            logger.info(
                "region %s: agreement changed; %d refused certificates asked for again",
                region,
                count,
            )

    def _tokens_of_assets(self, region: int, assets: set[int]) -> set[int]:
        """Certificates already checked here of assets the partner's events touched."""
        if not assets:
            return set()
        marks = ",".join("?" * len(assets))
        with self._lock:
            rows = self.db.execute(
                "SELECT token_id FROM certificate_checks "
                f"WHERE region = ? AND asset_id IN ({marks})",
                (region, *sorted(assets)),
            ).fetchall()
        return {int(token) for (token,) in rows}

    # ------------------------------------------------------------------ the journal

    def request(self, region: int, token: int) -> bool:
        """Queues a check of a partner certificate for a coming round (after every change at
        the partner); False when the region's queue is full (``queue_limit``)."""
        with self._lock:
            (queued,) = self.db.execute(
                "SELECT COUNT(*) FROM requests WHERE region = ?", (region,)
            ).fetchone()
            if queued >= self.queue_limit:
                return False
            self.db.execute(
                "INSERT OR IGNORE INTO requests VALUES (?, ?, ?)", (region, str(token), time.time())
            )
        return True

    def _defer(self, region: int, token: int) -> None:
        """A change found at the partner that its registry has not indexed yet: checked first
        in the next round, and until then its answers rest on its last check, not the round's."""
        with self._lock:
            self.db.execute("INSERT OR IGNORE INTO deferred VALUES (?, ?)", (region, str(token)))

    def freshness(self, region: int, token: int | None = None) -> Freshness | None:
        """What an answer about ``region`` (and ``token``) rests on: the newer of the last
        round that recorded every change at the partner and the certificate's own last check
        (kept before its record goes on chain, so never older than a record or a withdrawal
        an answer read before it); for a change deferred, its own last check only."""
        with self._lock:
            own = (
                None
                if token is None
                else self.db.execute(
                    "SELECT block, block_time, read_at FROM certificate_reads "
                    "WHERE region = ? AND token_id = ?",
                    (region, str(token)),
                ).fetchone()
            )
            deferred = token is not None and (
                self.db.execute(
                    "SELECT 1 FROM deferred WHERE region = ? AND token_id = ?",
                    (region, str(token)),
                ).fetchone()
                is not None
            )
            rounds = (
                None
                if deferred
                else self.db.execute(
                    "SELECT block, block_time, checked_at FROM freshness WHERE region = ?",
                    (region,),
                ).fetchone()
            )
        found = [Freshness(int(r[0]), int(r[1]), float(r[2])) for r in (rounds, own) if r]
        return max(found, key=lambda f: (f.block, f.checked_at), default=None)

    def _set_fresh(self, region: int, fresh: Freshness) -> None:
        with self._lock:
            self.db.execute(
                "INSERT OR REPLACE INTO freshness VALUES (?, ?, ?, ?)",
                (region, fresh.block, fresh.block_time, fresh.checked_at),
            )

    def kept(self, region: int, token: int) -> dict[str, Any] | None:
        with self._lock:
            row = self.db.execute(
                "SELECT block, status, refused, evidence, checked_at FROM certificate_checks "
                "WHERE region = ? AND token_id = ?",
                (region, str(token)),
            ).fetchone()
        if row is None:
            return None
        block, status, refused, evidence, checked_at = row
        return {
            "block": block,
            "status": status,
            "refused": json.loads(refused) if refused else None,
            "evidence": json.loads(evidence) if evidence else None,
            "checked_at": checked_at,
        }

    def proof(self, region: int, token: int, block: int) -> dict[str, Any] | None:
        """The header and storage proofs of ``token`` at ``block``, as recorded on chain."""
        with self._lock:
            row = self.db.execute(
                "SELECT evidence FROM proofs WHERE region = ? AND token_id = ? AND block = ?",
                (region, str(token), block),
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def _keep_proof(
        self, region: int, token: int, read: Freshness, evidence: dict[str, Any]
    ) -> None:
        """Keeps the proof of a check about to be recorded, and what it rests on, and drops
        the proofs older than the recorded one (that one stays: a reader may have just read
        its record)."""
        block = read.block
        with self._lock:
            self.db.execute("BEGIN")
            self._keep_read(region, token, read)
            self.db.execute(
                "DELETE FROM proofs WHERE region = ? AND token_id = ? AND block < "
                "(SELECT COALESCE(MAX(block), 0) FROM certificate_checks "
                "WHERE region = ? AND token_id = ? AND refused IS NULL)",
                (region, str(token), region, str(token)),
            )
            self.db.execute(
                "INSERT OR REPLACE INTO proofs VALUES (?, ?, ?, ?)",
                (region, str(token), block, json.dumps(evidence)),
            )
            self.db.execute("COMMIT")

    def reachability(self, region: int) -> tuple[bool, float | None, str | None]:
        with self._lock:
            row = self.db.execute(
                "SELECT reachable, since, detail FROM reachability WHERE region = ?", (region,)
            ).fetchone()
        return (True, None, None) if row is None else (bool(row[0]), row[1], row[2])

    def _keep_read(self, region: int, token: int, read: Freshness) -> None:
        """Records that ``token``'s standing was proven at ``read`` (inside the caller's
        transaction, under the lock); an older read never replaces a newer one."""
        self.db.execute(
            "INSERT INTO certificate_reads VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (region, token_id) DO UPDATE SET block = excluded.block, "
            "block_time = excluded.block_time, read_at = excluded.read_at "
            "WHERE excluded.block >= certificate_reads.block",
            (region, str(token), read.block, read.block_time, read.checked_at),
        )

    def _keep(
        self,
        region: int,
        token: int,
        asset_id: int | None,
        point: Point,
        expires_at: int | None,
        status: str | None,
        refused: RefusedError | None,
        evidence: dict[str, Any] | None,
    ) -> None:
        reason = (
            None
            if refused is None
            else json.dumps({"reason": refused.reason, "detail": refused.detail})
        )
        with self._lock:
            self.db.execute("BEGIN")
            self._keep_read(region, token, point.read)
            self.db.execute(
                "INSERT OR REPLACE INTO certificate_checks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    region,
                    str(token),
                    asset_id,
                    point.block,
                    expires_at,
                    status,
                    reason,
                    None if evidence is None else json.dumps(evidence),
                    time.time(),
                ),
            )
            for table in ("requests", "deferred"):
                self.db.execute(
                    f"DELETE FROM {table} WHERE region = ? AND token_id = ?", (region, str(token))
                )
            self.db.execute("COMMIT")

    def _reachable(self, region: int, reachable: bool, detail: str | None) -> None:
        with self._lock:
            current = self.db.execute(
                "SELECT reachable FROM reachability WHERE region = ?", (region,)
            ).fetchone()
            changed = current is None or bool(current[0]) != reachable
            if changed:
                self.db.execute(
                    "INSERT OR REPLACE INTO reachability VALUES (?, ?, ?, ?)",
                    (region, int(reachable), time.time(), detail),
                )
        # Logged when it changes: an origin that stays down is retried every round.
        if not reachable:
            log = logger.warning if changed else logger.debug
            log("region %s: origin unreachable: %s", region, detail)
        elif changed and current is not None:
            logger.info("region %s: origin reachable again", region)

    def _scanned(self, region: int) -> int | None:
        with self._lock:
            row = self.db.execute(
                "SELECT block FROM scanned WHERE region = ?", (region,)
            ).fetchone()
        return None if row is None else int(row[0])

    def _set_scanned(self, region: int, block: int) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO scanned VALUES (?, ?)", (region, block))
