"""The certificates of a secured test broker, made at its first start (the `cryptography` package:
milliseconds, where the JDK's keytool takes a JVM start per step, 20 s on a loaded 2-core machine).

A CA of its own per stack signs the broker's certificate for `localhost` and `127.0.0.1`, so a
client that trusts `ca.pem` and checks host names (`ssl.check_hostname`, the default) accepts the
broker and nothing else. The broker reads its key from a PKCS#12 keystore and trusts the CA from
the PEM file (for its own inter-broker connections). Keys and the keystore's password are 0600 in
the broker's directory, which the stack removes with itself.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    pkcs12,
)
from cryptography.x509.oid import NameOID

from onex_services.ownership import read_owned, write_private

VALID_DAYS = 30  # a stack lives for a run, or a few days with ONEX_REUSE=1


@dataclass(frozen=True)
class BrokerTls:
    """Where a broker's TLS files are: `ca` for clients, the keystore and its password for it."""

    ca: Path
    keystore: Path
    keystore_password: str


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: tuple[str, ec.EllipticCurvePrivateKey]
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    is_ca = subject == issuer[0]
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer[0]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))  # clocks that differ a little
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return builder.sign(issuer[1], hashes.SHA256())


def broker_tls(folder: Path) -> BrokerTls:
    """The broker's TLS files in `folder`: those of an earlier start, else new ones."""
    ca_file, keystore, password_file = folder / "ca.pem", folder / "broker.p12", folder / "store"
    if ca_file.is_file() and keystore.is_file() and password_file.is_file():
        return BrokerTls(ca_file, keystore, read_owned(password_file).decode())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = f"onex test CA {secrets.token_hex(4)}"
    ca = _certificate(ca_name, ca_key, (ca_name, ca_key))
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate("localhost", key, (ca_name, ca_key))
    password = secrets.token_urlsafe(18)
    store = pkcs12.serialize_key_and_certificates(
        b"broker", key, certificate, [ca], BestAvailableEncryption(password.encode())
    )
    write_private(keystore, store)
    write_private(password_file, password.encode())
    ca_file.write_bytes(ca.public_bytes(Encoding.PEM))
    return BrokerTls(ca_file, keystore, password)
