"""The one CA and certificate maker of the secured servers (`onex_services.tls`): a certificate
its CA signed for localhost and 127.0.0.1, private files 0600, kept across restarts."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key, pkcs12
from onex_services.tls import server_tls

pytestmark = pytest.mark.unit


def test_the_certificate_is_the_cas_for_localhost_and_loopback(tmp_path: Path) -> None:
    tls = server_tls(tmp_path / "tls")
    ca = x509.load_pem_x509_certificate(tls.ca.read_bytes())
    certificate = x509.load_pem_x509_certificate(tls.certificate.read_bytes())
    certificate.verify_directly_issued_by(ca)
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.0.1")]
    key = load_pem_private_key(tls.key.read_bytes(), password=None)
    assert key.public_key() == certificate.public_key()
    store = pkcs12.load_pkcs12(tls.keystore.read_bytes(), tls.keystore_password.encode())
    assert store.cert is not None
    assert store.cert.certificate == certificate
    for private in (tls.key, tls.keystore, tmp_path / "tls" / "store"):
        assert private.stat().st_mode & 0o077 == 0, private


def test_a_restart_keeps_the_files_and_a_half_made_folder_is_made_again(tmp_path: Path) -> None:
    first = server_tls(tmp_path / "tls")
    ca = first.ca.read_bytes()
    assert server_tls(tmp_path / "tls") == first
    assert first.ca.read_bytes() == ca
    first.key.unlink()
    again = server_tls(tmp_path / "tls")
    assert again.key.is_file()
    assert again.ca.read_bytes() != ca  # a new CA: the old one's key is not kept
    x509.load_pem_x509_certificate(again.certificate.read_bytes()).verify_directly_issued_by(
        x509.load_pem_x509_certificate(again.ca.read_bytes())
    )
