"""Who is this visitor? The key a per-visitor limit counts, also behind Hugging Face's proxy.

A request's peer is whoever opened the connection. Behind a reverse proxy that is the proxy, so
every visitor of a Space looks like the same one. A proxy says whom it served in `X-Forwarded-For`
by APPENDING the address it saw to whatever the request already carried, and anyone can send that
header. So the header is read only when the peer is a proxy we trust, and only from the right: skip
the entries that are themselves trusted proxies; the first one that is not is the visitor. Entries
further left were written by the visitor (or by proxies nobody vouches for) and never count, so a
forged header buys nothing: `X-Forwarded-For: 6.6.6.6` reaches the app as `6.6.6.6, <real address>`.

Trusted: the addresses and networks in TRUSTED_PROXIES. On a Space (SPACE_ID set) also the peer
itself and every non-global address: Hugging Face's proxies sit on internal networks, while a
visitor from the internet always has a global address.

IPv6 visitors are keyed by their /64: a home or a phone gets a whole /64 and can pick any address
in it, so counting single addresses would let one visitor rotate through fresh limits.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from components.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ANONYMOUS = "anonymous"
MAX_HOPS = 32
"""Only the last hops of a very long header are read (a proxy chain is never this long)."""
IPV6_VISITOR_PREFIX = 64


def parse_networks(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """'10.0.0.0/8', '127.0.0.1', '::1' -> networks; raises ValueError naming a bad entry."""
    networks = []
    for entry in (item.strip() for item in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as err:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network") from err
    return tuple(networks)


def parse_address(text: str | None) -> IPAddress | None:
    """An address as a peer or proxy writes it ('1.2.3.4', '1.2.3.4:5678', '[::1]:80', '::1'), else None."""
    text = (text or "").strip().strip('"')
    if text.startswith("["):  # [v6]:port
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:  # v4:port
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:1.2.3.4 is 1.2.3.4
    return mapped or address


def address_key(address: IPAddress) -> str:
    """The rate-limit key of one address: itself (IPv4) or its /64 (IPv6)."""
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/{IPV6_VISITOR_PREFIX}", strict=False))
    return str(address)


@dataclass(frozen=True, slots=True)
class ProxyTrust:
    """Which peers and hops may speak for a visitor (see the module docstring)."""

    networks: tuple[IPNetwork, ...] = ()
    """TRUSTED_PROXIES, parsed."""
    on_space: bool = False
    """SPACE_ID is set: the peer is Hugging Face's proxy, and internal addresses are its hops."""

    @classmethod
    def from_settings(cls, settings: Settings) -> ProxyTrust:
        return cls(parse_networks(settings.trusted_proxies), settings.on_space)

    def listed(self, address: IPAddress) -> bool:
        return any(address.version == net.version and address in net for net in self.networks)

    def trusts_peer(self, peer: IPAddress) -> bool:
        return self.on_space or self.listed(peer)

    def trusts_hop(self, hop: IPAddress) -> bool:
        return self.listed(hop) or (self.on_space and not hop.is_global)


def forwarded_hops(header_values: Iterable[str]) -> list[str]:
    """Every entry of every X-Forwarded-For header, in order (several headers read as one list)."""
    hops = [hop.strip() for value in header_values for hop in (value or "").split(",")]
    return [hop for hop in hops if hop][-MAX_HOPS:]


def visitor_key(peer: str | None, forwarded_for: Iterable[str], trust: ProxyTrust) -> str:
    """The key to count this request under.

    Args:
        peer: the address that opened the connection (`request.client.host`).
        forwarded_for: the values of every `X-Forwarded-For` header of the request.
        trust: which peers and hops are trusted proxies.
    """
    peer_address = parse_address(peer)
    if peer_address is None:
        return (peer or "").strip()[:64] or ANONYMOUS  # e.g. a unix socket: all one visitor
    if not trust.trusts_peer(peer_address):
        return address_key(peer_address)
    hops = forwarded_hops(forwarded_for)
    if not hops:
        return address_key(peer_address)
    leftmost = peer_address
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy writes addresses; garbage here means the chain cannot be read
            # (a proxy that passed the header on without appending). Count the peer.
            return address_key(peer_address)
        if not trust.trusts_hop(address):
            return address_key(address)
        leftmost = address
    # Every hop is a trusted proxy: the request started inside the proxies' own network.
    return address_key(leftmost)
