"""Visitor identity: the peer, or the visitor a trusted proxy names; a forged header changes nothing."""

from __future__ import annotations

import pytest

from components.settings import Settings
from components.visitors import ProxyTrust, parse_address, visitor_key

SPACE = ProxyTrust(on_space=True)
NOBODY = ProxyTrust()
LOCAL_PROXY = ProxyTrust.from_settings(Settings(trusted_proxies=("127.0.0.1", "10.1.0.0/16")))


def test_untrusted_peer_is_the_visitor_whatever_the_header_says():
    assert visitor_key("93.184.216.34", ["81.2.69.142"], NOBODY) == "93.184.216.34"
    assert visitor_key("127.0.0.1", ["81.2.69.142"], NOBODY) == "127.0.0.1"
    assert visitor_key("93.184.216.34", ["81.2.69.142"], LOCAL_PROXY) == "93.184.216.34"


def test_on_a_space_the_address_the_proxy_appended_is_the_visitor():
    # Hugging Face's edge appends the address it saw; the peer is an internal proxy address.
    assert visitor_key("10.16.3.80", ["81.2.69.142"], SPACE) == "81.2.69.142"
    assert visitor_key("10.16.3.80", ["81.2.69.142, 10.0.0.12"], SPACE) == "81.2.69.142"


@pytest.mark.parametrize("forged", ["6.6.6.6", "6.6.6.6, 7.7.7.7", "10.0.0.1", "not-an-address", "::1"])
def test_a_forged_header_on_a_space_still_ends_at_the_real_address(forged):
    # What the visitor sent stays on the left; the proxy's own entry is on the right.
    assert visitor_key("10.16.3.80", [f"{forged}, 81.2.69.142"], SPACE) == "81.2.69.142"


def test_trusted_proxies_list_addresses_and_networks():
    assert visitor_key("127.0.0.1", ["81.2.69.142"], LOCAL_PROXY) == "81.2.69.142"
    # Two of our proxies in a row: the first address that is not one of them.
    assert visitor_key("127.0.0.1", ["6.6.6.6, 81.2.69.142, 10.1.4.4"], LOCAL_PROXY) == "81.2.69.142"
    # Off a Space, private addresses are not trusted unless listed: 10.2.x is the visitor.
    assert visitor_key("127.0.0.1", ["81.2.69.142, 10.2.0.9"], LOCAL_PROXY) == "10.2.0.9"


def test_several_headers_read_as_one_list():
    assert visitor_key("127.0.0.1", ["6.6.6.6", "81.2.69.142"], LOCAL_PROXY) == "81.2.69.142"


def test_no_header_or_an_unreadable_last_hop_counts_the_peer():
    assert visitor_key("127.0.0.1", [], LOCAL_PROXY) == "127.0.0.1"
    assert visitor_key("127.0.0.1", [""], LOCAL_PROXY) == "127.0.0.1"
    assert visitor_key("10.16.3.80", ["81.2.69.142, unknown"], SPACE) == "10.16.3.80"


def test_all_hops_trusted_means_the_request_started_inside():
    assert visitor_key("10.16.3.80", ["10.0.0.5, 10.0.0.6"], SPACE) == "10.0.0.5"


def test_ipv6_visitors_are_counted_by_their_64():
    one = visitor_key("10.16.3.80", ["2a01:4f8:1:2::aaaa"], SPACE)
    same_home = visitor_key("10.16.3.80", ["2a01:4f8:1:2:ffff::1"], SPACE)
    neighbour = visitor_key("10.16.3.80", ["2a01:4f8:1:3::1"], SPACE)
    assert one == same_home == "2a01:4f8:1:2::/64" and neighbour != one


def test_addresses_with_ports_brackets_and_mapped_v4():
    assert str(parse_address("81.2.69.142:4431")) == "81.2.69.142"
    assert str(parse_address("[2a01:4f8::1]:443")) == "2a01:4f8::1"
    assert str(parse_address("::ffff:81.2.69.142")) == "81.2.69.142"
    assert parse_address("unknown") is None and parse_address("") is None


def test_missing_or_odd_peer():
    assert visitor_key(None, ["81.2.69.142"], SPACE) == "anonymous"
    assert visitor_key("testclient", ["81.2.69.142"], SPACE) == "testclient"


def test_a_huge_header_costs_a_bounded_amount():
    header = ", ".join(f"10.0.{i // 250}.{i % 250}" for i in range(5000)) + ", 81.2.69.142"
    assert visitor_key("10.16.3.80", [header], SPACE) == "81.2.69.142"


def test_settings_read_and_check_the_variables():
    settings = Settings.from_env({"TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1 ,::1", "SPACE_ID": "me/demo"})
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1", "::1") and settings.on_space
    assert not Settings.from_env({}).on_space and Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(ValueError, match="TRUSTED_PROXIES: 'proxy.local'"):
        Settings.from_env({"TRUSTED_PROXIES": "proxy.local"})
