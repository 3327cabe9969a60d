"""Read and write a Gradio BrowserState's localStorage entry from a test, as a person with devtools could.

Gradio encrypts the JSON value with CryptoJS: `AES.encrypt(json, SHA256(secret).hex)`, a passphrase,
so the key and IV come from OpenSSL's EVP_BytesToKey (MD5, an 8-byte salt) and the ciphertext is
base64("Salted__" + salt + AES-256-CBC/PKCS7). It stores `base64(16 random bytes) + ":" + that`.
Here the MD5 key derivation runs in Python and the AES in the browser's own WebCrypto, so a crafted
entry is exactly what Gradio's frontend reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

_ENCRYPT_JS = """async ({storageKey, key, iv, salt, text}) => {
    const bytes = (hex) => Uint8Array.from(hex.match(/../g).map((h) => parseInt(h, 16)));
    const aes = await crypto.subtle.importKey("raw", bytes(key), "AES-CBC", false, ["encrypt"]);
    const sealed = new Uint8Array(await crypto.subtle.encrypt(
        {name: "AES-CBC", iv: bytes(iv)}, aes, new TextEncoder().encode(text)));
    const all = new Uint8Array(16 + sealed.length);
    all.set(new TextEncoder().encode("Salted__"), 0); all.set(bytes(salt), 8); all.set(sealed, 16);
    let binary = ""; for (const b of all) binary += String.fromCharCode(b);
    localStorage.setItem(storageKey, btoa("0123456789abcdef") + ":" + btoa(binary));
}"""
_DECRYPT_JS = """async ({key, iv, sealed}) => {
    const bytes = (hex) => Uint8Array.from(hex.match(/../g).map((h) => parseInt(h, 16)));
    const aes = await crypto.subtle.importKey("raw", bytes(key), "AES-CBC", false, ["decrypt"]);
    const data = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    return new TextDecoder().decode(await crypto.subtle.decrypt({name: "AES-CBC", iv: bytes(iv)}, aes, data));
}"""


def _key_and_iv(secret: str, salt: bytes) -> tuple[bytes, bytes]:
    """OpenSSL EVP_BytesToKey(MD5, 1 round) for CryptoJS's passphrase mode: 32-byte key, 16-byte IV."""
    passphrase = hashlib.sha256(secret.encode()).hexdigest().encode()
    derived, block = b"", b""
    while len(derived) < 48:
        block = hashlib.md5(block + passphrase + salt).digest()
        derived += block
    return derived[:32], derived[32:48]


def write_browser_state(page, storage_key: str, secret: str, value) -> None:
    """Put `value` (any JSON value) where the BrowserState with this key and secret reads it."""
    salt = os.urandom(8)
    key, iv = _key_and_iv(secret, salt)
    page.evaluate(
        _ENCRYPT_JS,
        {"storageKey": storage_key, "key": key.hex(), "iv": iv.hex(), "salt": salt.hex(), "text": json.dumps(value)},
    )


def stored_text(page, storage_key: str) -> str | None:
    """The raw localStorage string (what counts against the browser's quota)."""
    return page.evaluate("(k) => localStorage.getItem(k)", storage_key)


def read_browser_state(page, storage_key: str, secret: str):
    """The JSON value a BrowserState stored, decrypted; None when nothing is stored."""
    raw = stored_text(page, storage_key)
    if not raw:
        return None
    sealed = base64.b64decode(raw.split(":", 1)[1])
    assert sealed[:8] == b"Salted__"
    key, iv = _key_and_iv(secret, sealed[8:16])
    text = page.evaluate(
        _DECRYPT_JS, {"key": key.hex(), "iv": iv.hex(), "sealed": base64.b64encode(sealed[16:]).decode()}
    )
    return json.loads(text)
