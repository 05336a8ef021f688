from registry.chain.types import CertificateStatus, Status
from tests.conftest import Flow


def test_issue_path_mints_a_valid_certificate(flow: Flow) -> None:
    asset_id = flow.issued()
    asset = flow.registry.assets.get_asset(asset_id)
    assert asset.status == Status.ISSUED
    assert flow.registry.certificates.status_of(asset.certificate_id) == CertificateStatus.VALID
