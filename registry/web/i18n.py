"""Every string of the pages in Chinese (the default) and English (``?lang=en``)."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("zh", "en")

_STRINGS: dict[str, tuple[str, str]] = {
    "site": ("数据产权登记簿", "Data property-right register"),
    "switch": ("English", "中文"),
    "nav.verify": ("核验", "Verify"),
    "cert.title": ("登记证书", "Registration certificate"),
    "cert.number": ("证书编号", "Certificate number"),
    "cert.status": ("状态（链上实时）", "Status (read from the chain now)"),
    "cert.holder": ("权利人", "Holder"),
    "cert.asset": ("数据资产", "Data asset"),
    "cert.kind": ("资产类型 / 分级", "Kind / classification"),
    "cert.manifest": ("登记清单哈希", "Manifest SHA-256"),
    "cert.validity": ("有效期", "Validity"),
    "cert.center": ("登记机构", "Issuing center"),
    "cert.successor": ("替代证书", "Superseded by"),
    "cert.rights": ("三权分置：权利与权利人", "The three rights and who holds them"),
    "cert.right": ("权利", "Right"),
    "cert.held_by": ("权利人", "Held by"),
    "cert.terms": ("场景 / 期限 / 独占", "Scenario / term / exclusive"),
    "cert.exclusive": ("独占", "exclusive"),
    "cert.non_exclusive": ("非独占", "non-exclusive"),
    "cert.pdf": ("下载 PDF 证书", "Download the PDF certificate"),
    "cert.vc": ("可验证凭证（W3C VC 2.0）", "Verifiable credential (W3C VC 2.0)"),
    "cert.verify_manifest": ("核验登记清单", "Verify the manifest"),
    "status.valid": ("有效", "valid"),
    "status.expired": ("已过期", "expired"),
    "status.superseded": ("已被替代", "superseded"),
    "status.revoked": ("已撤销", "revoked"),
    "status.cancelled": ("已注销", "cancelled"),
    "verify.title": ("存证核验", "Verify evidence"),
    "verify.intro": (
        "输入文件的 SHA-256 或证书编号。核验只信任区块链：每项检查都列出原始值。",
        "Enter a file's SHA-256 or a certificate number. Verification trusts only the chain: "
        "every check lists its raw values.",
    ),
    "verify.hash": ("SHA-256 哈希（0x 开头，64 位十六进制）", "SHA-256 (0x and 64 hex digits)"),
    "verify.number": ("或证书编号", "or a certificate number"),
    "verify.submit": ("核验", "Verify"),
    "verify.passed": ("通过：全部检查通过", "Verified: every check passed"),
    "verify.failed": ("未通过", "Not verified"),
    "verify.unknown": ("未找到该哈希的存证记录", "No evidence with this hash is registered"),
    "verify.pending": ("已提交，尚未上链", "Submitted, not on chain yet"),
    "verify.check": ("检查项", "Check"),
    "verify.result": ("结果", "Result"),
    "verify.values": ("原始值", "Raw values"),
    "verify.pass": ("通过", "pass"),
    "verify.fail": ("失败", "fail"),
    "verify.proven": ("证明了", "Proven"),
    "verify.not_proven": ("未证明", "Not proven"),
    "verify.linked": ("关联资产与证书", "Linked assets and certificates"),
    "verify.report": ("生成签名的 PDF 核验报告", "Issue a signed PDF verification report"),
    "cert.unknown": ("没有这个编号的证书", "No certificate has this number"),
    "verify.bad_input": (
        "请输入 0x 开头的 64 位十六进制哈希，或有效的证书编号",
        "Enter 0x and 64 hex digits, or a valid certificate number",
    ),
    "check.evidence_matches_receipt": ("出示的证据与回执哈希一致", "evidence matches the receipt"),
    "check.leaf": ("叶子节点哈希", "leaf hash"),
    "check.merkle_proof": ("默克尔证明通向回执中的根", "Merkle proof reaches the root"),
    "check.chain": ("链标识一致", "chain id matches"),
    "check.root_anchored": ("根已记录于存证合约", "root recorded by the evidence contract"),
    "check.contract_verifies": ("合约复核证明", "contract re-checks the proof"),
    "check.transaction": ("上链交易成功且含存证事件", "transaction succeeded with its event"),
    "check.block": ("区块号、区块哈希与时间一致", "block number, hash and time match"),
    "check.confirmations": ("确认数足够", "enough confirmations"),
    "proven": (
        "具有该 SHA-256 的数据最迟于该区块时间已存在，且此后未被改动。",
        "Data with this SHA-256 existed, unaltered since, no later than the block's time.",
    ),
    "not_proven": (
        "数据由谁制作、内容是否真实，以及上链之前的任何情况。",
        "Who made the data, whether it is true or authentic, and anything before it was hashed.",
    ),
}


def translator(lang: str) -> Callable[[str], str]:
    index = 1 if lang == "en" else 0

    def t(key: str) -> str:
        pair = _STRINGS.get(key)
        return pair[index] if pair else key

    return t
