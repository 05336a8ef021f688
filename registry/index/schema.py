"""The index's tables. ``events`` is the record as read from the chain; every other table except
``manifests`` is a projection of it and can be rebuilt by replaying ``events``."""

from __future__ import annotations

import logging

import sqlalchemy as sa

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

sync = sa.Table(
    "sync",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("block_hash", sa.String(66)),
)

blocks = sa.Table(
    "blocks",
    metadata,
    sa.Column("number", sa.BigInteger, primary_key=True),
    sa.Column("hash", sa.String(66), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
    sa.Column("block_number", sa.BigInteger, nullable=False, index=True),
    sa.Column("block_hash", sa.String(66), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False),
    sa.Column("log_index", sa.Integer, nullable=False),
    sa.Column("contract", sa.String(32), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("asset_id", sa.BigInteger, index=True),
    sa.Column("args", sa.JSON, nullable=False),
    sa.UniqueConstraint("block_hash", "log_index"),
    # The events of a kind (a transfer application's, read by the console's pending
    # transfers) without a scan of every event.
    sa.Index("events_by_name", "name", "block_number"),
)

assets = sa.Table(
    "assets",
    metadata,
    sa.Column("asset_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("holder", sa.String(42), nullable=False, index=True),
    sa.Column("region", sa.Integer, nullable=False, index=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("classification", sa.SmallInteger, nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False, index=True),
    sa.Column("manifest_hash", sa.String(66), nullable=False, index=True),
    sa.Column("manifest_cid", sa.String(66), nullable=False),
    sa.Column("cid_codec", sa.SmallInteger, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("frozen", sa.Boolean, nullable=False),
    sa.Column("pledgee", sa.String(42)),
    sa.Column("open_objections", sa.Integer, nullable=False),
    sa.Column("applied_at", sa.BigInteger, nullable=False),
    sa.Column("notice_ends_at", sa.BigInteger),
    sa.Column("issued_at", sa.BigInteger),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("certificate_id", sa.BigInteger),
    sa.Column("updated_block", sa.BigInteger, nullable=False),
)

parents = sa.Table(
    "parents",
    metadata,
    sa.Column("asset_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("parent_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("grant_id", sa.String(66), nullable=False),
)

right_holders = sa.Table(
    "right_holders",
    metadata,
    sa.Column("asset_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("account", sa.String(42), primary_key=True, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("rights", sa.SmallInteger, nullable=False),
    sa.Column("start", sa.BigInteger, nullable=False),
    sa.Column("expiry", sa.BigInteger, nullable=False),
    sa.Column("identity_hash", sa.String(66), nullable=False),
    sa.Column("restrictions_hash", sa.String(66), nullable=False),
    sa.Column("restrictions", sa.Text, nullable=False),
)

grants = sa.Table(
    "grants",
    metadata,
    sa.Column("grant_id", sa.String(66), primary_key=True),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("grantee", sa.String(42), nullable=False, index=True),
    sa.Column("grantor", sa.String(42), nullable=False),
    sa.Column("scenario", sa.String(66), nullable=False),
    sa.Column("start", sa.BigInteger, nullable=False),
    sa.Column("expiry", sa.BigInteger, nullable=False),
    sa.Column("exclusive", sa.Boolean, nullable=False),
    sa.Column("revocable", sa.Boolean, nullable=False),
    sa.Column("revoked", sa.Boolean, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("terms_hash", sa.String(66), nullable=False),
    sa.Column("certificate_id", sa.BigInteger),
)

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("token_id", sa.BigInteger, primary_key=True),
    sa.Column("number", sa.String(19), nullable=False, unique=True),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("holder", sa.String(42), nullable=False, index=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("state", sa.SmallInteger, nullable=False),
    sa.Column("issued_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("successor", sa.BigInteger),
    sa.Column("grant_id", sa.String(66)),
)

objections = sa.Table(
    "objections",
    metadata,
    sa.Column("objection_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("objector", sa.String(42), nullable=False),
    sa.Column("evidence_hash", sa.String(66), nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False),
    sa.Column("reason_hash", sa.String(66)),
    sa.Column("filed_at", sa.BigInteger),
    sa.Column("investigation_due", sa.BigInteger),
)

post_objections = sa.Table(
    "post_objections",
    metadata,
    sa.Column("objection_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("filed_by", sa.String(42), nullable=False),
    sa.Column("form_hash", sa.String(66), nullable=False),
    sa.Column("evidence_hash", sa.String(66), nullable=False),
    sa.Column("status", sa.SmallInteger, nullable=False, index=True),
    sa.Column("outcome", sa.SmallInteger, nullable=False),
    sa.Column("judgment", sa.SmallInteger, nullable=False),
    sa.Column("filed_at", sa.BigInteger, nullable=False),
    sa.Column("completed_at", sa.BigInteger),
    sa.Column("notification_due", sa.BigInteger),
    sa.Column("notified_at", sa.BigInteger),
    sa.Column("notified_in_time", sa.Boolean),
    sa.Column("answered_at", sa.BigInteger),
    sa.Column("concluded_at", sa.BigInteger),
    sa.Column("judged_at", sa.BigInteger),
    sa.Column("settled_at", sa.BigInteger),
    sa.Column("document_hash", sa.String(66)),
)
"""Objections after registration (art. 29); ``document_hash`` is the last step's (the notice,
the reply, the conclusion, the judgment or the act carrying it out)."""

asset_annotations = sa.Table(
    "annotations",
    metadata,
    sa.Column("annotation_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("asset_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("kind", sa.SmallInteger, nullable=False),
    sa.Column("recorded_by", sa.String(42), nullable=False),
    sa.Column("recorded_at", sa.BigInteger, nullable=False),
    sa.Column("authority_hash", sa.String(66), nullable=False),
    sa.Column("document_hash", sa.String(66), nullable=False),
    sa.Column("text_hash", sa.String(66), nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False),
    sa.Column("lifted_by", sa.String(42)),
    sa.Column("lifted_at", sa.BigInteger),
    sa.Column("lift_document_hash", sa.String(66)),
)

anchors = sa.Table(
    "anchors",
    metadata,
    sa.Column("root", sa.String(66), primary_key=True),
    sa.Column("submitter", sa.String(42), nullable=False),
    sa.Column("leaf_count", sa.BigInteger, nullable=False),
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("tx_hash", sa.String(66), nullable=False),
    sa.Column("anchored_at", sa.BigInteger, nullable=False),
)

manifests = sa.Table(
    "manifests",
    metadata,
    sa.Column("manifest_hash", sa.String(66), primary_key=True),
    sa.Column("name_zh", sa.Text, nullable=False),
    sa.Column("name_en", sa.Text, nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
)

manifest_files = sa.Table(
    "manifest_files",
    metadata,
    sa.Column("sha256", sa.String(66), primary_key=True),
    sa.Column("manifest_hash", sa.String(66), primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
)

texts = sa.Table(
    "texts",
    metadata,
    sa.Column("sha256", sa.String(66), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
)

licensees = sa.Table(
    "licensees",
    metadata,
    sa.Column("grant_id", sa.String(66), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("credit_code", sa.String(18), nullable=False),
)
"""The licensee a licence registration named on a grant whose terms name none
(``registry.licensees``): the center's record, which the chain does not bind. Not a projection."""

national_reports = sa.Table(
    "national_reports",
    metadata,
    sa.Column("key", sa.String(80), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("asset_id", sa.BigInteger, index=True),
    sa.Column("block_number", sa.BigInteger, nullable=False),
    sa.Column("log_index", sa.Integer, nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("acknowledged_at", sa.Float, index=True),
    sa.Column("acknowledged_by", sa.String(16)),
)
"""The reporting outbox (guide art. 24, 26: what is published and deposited on the national
registration service system): one record per reported event, under its idempotency key, written
by the follower in the transaction that indexes the event (``registry.reporting``). Not a
projection: a rewind drops only records not yet acknowledged, and a rebuild finds the same keys."""

PROJECTIONS = (
    assets,
    right_holders,
    parents,
    grants,
    certificates,
    objections,
    post_objections,
    asset_annotations,
    anchors,
)
"""Tables rebuilt from ``events``; ``manifests`` (and ``manifest_files``) hold the manifests
published to the service (``POST /v1/manifests``), each under its own SHA-256: the only source of
an asset's names. ``texts`` holds, under their SHA-256, the plain texts whose hashes acts put on
chain (an annotation's authority, document number and text): like a manifest, each checks
against the chain's hash, and none is a projection, so a rewind keeps them."""


NAMES = "asset_names"
"""SQLite's index of the assets' names: an FTS5 table, one row per asset (its rowid the asset
id) holding its manifest's names as written and ``tripled`` (``indexed_names``), kept in step
with ``assets`` and ``manifests`` by the triggers below. PostgreSQL's is a pg_trgm GIN index on
each name as written and ``tripled``."""


def tripled(text: str) -> str:
    """Every character three times: a trigram index of this finds any substring of one or
    two characters too (a name's "港口" holds "港港口" and "港口口", its "港" "港港港"), and
    ``tripled(q)`` is in ``tripled(name)`` exactly when ``q`` is in ``name``."""
    return "".join(c * 3 for c in text)


def indexed_names(name_zh: str, name_en: str) -> str:
    """What the SQLite name index holds for an asset, a line apart: both names tripled (for a
    text of one or two characters) and as written (for a longer one: its own trigrams are far
    rarer than the pairs of characters a tripled text's are, so fewer rows are walked). A
    deleted row gives these values again, so what this returns cannot change for a table
    already made."""
    return f"{tripled(name_zh)}\n{tripled(name_en)}\n{name_zh}\n{name_en}"


# Contentless (content=''): the names are in ``manifests``; the index keeps only which asset
# holds which trigram (detail=none), and a search checks its candidates against the names. A
# contentless row is deleted by giving the values it was written with, which the triggers read
# from ``manifests`` before the row there changes.
_SQLITE_NAMES = f"""
CREATE VIRTUAL TABLE {NAMES} USING fts5(names, content='', detail=none, tokenize='trigram')
"""


def _indexed(asset: str, names: str, source: str, *, delete: bool = False) -> str:
    """A statement writing (or, ``delete``, removing) the name index's row of the asset
    ``asset`` with the names of the manifest row ``names``, for each row of ``source``."""
    into, first = (f"{NAMES}, rowid, names", "'delete', ") if delete else ("rowid, names", "")
    return (
        f"INSERT INTO {NAMES}({into}) SELECT {first}{asset}, "
        f"registry_names({names}.name_zh, {names}.name_en) {source};"
    )


def _of_asset(row: str, *, delete: bool = False) -> str:
    """The statement for the asset row ``row`` (``new`` or ``old``) of a trigger on assets."""
    source = f"FROM manifests m WHERE m.manifest_hash = {row}.manifest_hash"
    return _indexed(f"{row}.asset_id", "m", source, delete=delete)


def _of_manifest(row: str, *, delete: bool = False) -> str:
    """The statements for the assets of the manifest row ``row`` of a trigger on manifests."""
    source = f"FROM assets a WHERE a.manifest_hash = {row}.manifest_hash"
    return _indexed("a.asset_id", row, source, delete=delete)


_SQLITE_TRIGGERS = {
    "asset_names_asset_added": ("AFTER INSERT ON assets", _of_asset("new")),
    "asset_names_asset_removed": ("BEFORE DELETE ON assets", _of_asset("old", delete=True)),
    "asset_names_asset_changed": (
        "AFTER UPDATE OF manifest_hash ON assets WHEN old.manifest_hash IS NOT new.manifest_hash",
        _of_asset("old", delete=True) + _of_asset("new"),
    ),
    "asset_names_manifest_added": ("AFTER INSERT ON manifests", _of_manifest("new")),
    "asset_names_manifest_removed": (
        "BEFORE DELETE ON manifests",
        _of_manifest("old", delete=True),
    ),
    "asset_names_manifest_renamed": (
        "AFTER UPDATE OF name_zh, name_en ON manifests",
        _of_manifest("old", delete=True) + _of_manifest("new"),
    ),
}
"""Each trigger that keeps the name index in step: when it fires, and what it does."""

# pg_trgm is a trusted extension (PostgreSQL 13 on): the database's owner may create it. Its
# trigrams are of letters and digits as the database's LC_CTYPE classifies them, so a database
# in the C locale indexes no Chinese character (the search is still right, but reads every
# name): create it with a UTF-8 locale (C.UTF-8); opening one that is not warns.
_POSTGRES_TRIPLED = r"""
CREATE FUNCTION registry_tripled(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT regexp_replace($1, '(.)', '\1\1\1', 'g') $$
"""
# Each name as written (for a text of three characters or more, whose own trigrams are rare)
# and tripled (for one or two).
_POSTGRES_NAME_INDEXES = {
    **{
        f"manifests_{column}_trigrams": f"""
CREATE INDEX manifests_{column}_trigrams ON manifests USING gin ({column} gin_trgm_ops)"""
        for column in ("name_zh", "name_en")
    },
    **{
        f"manifests_{column}_tripled_trigrams": f"""
CREATE INDEX manifests_{column}_tripled_trigrams ON manifests
USING gin (registry_tripled({column}) gin_trgm_ops)"""
        for column in ("name_zh", "name_en")
    },
}


def _create_postgres_name_index(conn: sa.Connection) -> None:
    conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    if not conn.exec_driver_sql("SELECT 1 FROM pg_proc WHERE proname = 'registry_tripled'").first():
        conn.exec_driver_sql(_POSTGRES_TRIPLED)
    for ddl in _POSTGRES_NAME_INDEXES.values():
        conn.exec_driver_sql(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
    if not conn.exec_driver_sql("SELECT show_trgm('数据集')").scalar():
        logger.warning(
            "the index database's LC_CTYPE (%s) has no Chinese letters: pg_trgm indexes no "
            "Chinese name, and each search of one reads every name (make it in C.UTF-8)",
            conn.exec_driver_sql("SHOW lc_ctype").scalar(),
        )


def _create_sqlite_name_index(engine: sa.Engine) -> None:
    """Under SQLite's write lock (BEGIN IMMEDIATE; the API's and the follower's processes open
    the index at the same time), so the names already there are indexed once, by the process
    that makes the table."""
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        assert db is not None
        db.execute("BEGIN IMMEDIATE")
        made = {
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"
            )
        }
        if NAMES not in made:
            db.execute(_SQLITE_NAMES)
            db.execute(
                _indexed(
                    "a.asset_id",
                    "m",
                    "FROM assets a JOIN manifests m ON m.manifest_hash = a.manifest_hash",
                )
            )
            logger.info("made the index of the assets' names")
        for name, (when, statements) in _SQLITE_TRIGGERS.items():
            if name not in made:
                db.execute(f"CREATE TRIGGER {name} {when} BEGIN {statements} END")
        db.commit()
    finally:
        raw.close()


def create(engine: sa.Engine) -> None:
    """Creates the tables that are missing, the indexes added to a table since a database was
    made (``create_all`` makes an index only with its table), and the name search's index."""
    metadata.create_all(engine)
    for table in metadata.sorted_tables:
        for index in table.indexes:
            index.create(engine, checkfirst=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            _create_postgres_name_index(conn)
    else:
        _create_sqlite_name_index(engine)
