"""The certificates of a secured test server (a SASL_SSL Kafka broker, a PostgreSQL with TLS, a
Redis with TLS), made at its first start with the `cryptography` package: milliseconds, where the
JDK's keytool takes a JVM start per step, 20 s on a loaded 2-core machine. The one place the
harness makes a CA or a certificate.

A CA of its own per folder signs the server's certificate for `localhost` and `127.0.0.1`, so a
client that trusts `ca.pem` and checks host names (Kafka's `ssl.check_hostname`, libpq's
`sslmode=verify-full`, redis-py's `ssl_check_hostname`) accepts that server and nothing else.
The folder holds, besides `ca.pem`: the certificate (`server.pem`) and its key (`server.key`,
PEM, what PostgreSQL and Redis read), and the same key and chain in a PKCS#12 keystore with a
generated password (`server.p12`, what a Kafka broker reads). Keys and the keystore's password
are 0600; the folder is the server's own (its stack removes it) or a shared identity's.
"""

from __future__ import annotations

import datetime
import ipaddress
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from cryptography.x509.oid import NameOID

from onex_services.ownership import read_owned, write_private

VALID_DAYS = 30  # a stack lives for a run, or a few days with ONEX_REUSE=1


@dataclass(frozen=True)
class ServerTls:
    """Where a server's TLS files are: `ca` for its clients; the certificate and key (PEM), or
    the keystore and its password (PKCS#12), for the server."""

    ca: Path
    certificate: Path
    key: Path
    keystore: Path
    keystore_password: str

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.ca, self.certificate, self.key, self.keystore)


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


def server_tls(folder: Path) -> ServerTls:
    """The TLS files in `folder`: those of an earlier start, else new ones (a new CA too)."""
    kept = ServerTls(
        ca=folder / "ca.pem",
        certificate=folder / "server.pem",
        key=folder / "server.key",
        keystore=folder / "server.p12",
        keystore_password="",
    )
    password_file = folder / "store"
    if all(path.is_file() for path in (*kept.files, password_file)):
        return replace(kept, keystore_password=read_owned(password_file).decode())
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = f"onex test CA {secrets.token_hex(4)}"
    ca = _certificate(ca_name, ca_key, (ca_name, ca_key))
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate("localhost", key, (ca_name, ca_key))
    password = secrets.token_urlsafe(18)
    store = pkcs12.serialize_key_and_certificates(
        b"server", key, certificate, [ca], BestAvailableEncryption(password.encode())
    )
    write_private(kept.key, key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    write_private(kept.keystore, store)
    write_private(password_file, password.encode())
    kept.certificate.write_bytes(certificate.public_bytes(Encoding.PEM))
    kept.ca.write_bytes(ca.public_bytes(Encoding.PEM))  # last: its presence means complete
    return replace(kept, keystore_password=password)
