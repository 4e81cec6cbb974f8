"""Log lines carry no voucher code and no resident's name: only enough to tell two apart."""

from __future__ import annotations

from wifidesa import redact


def test_a_voucher_code_or_resident_name_is_cut_to_two_characters() -> None:
    assert redact.login_name("4986GE3BT8") == "49…(10)"
    assert redact.login_name("budi") == "bu…(4)"
    assert "4986GE3BT8" not in redact.login_name("4986GE3BT8")


def test_devices_keep_their_names() -> None:
    assert redact.login_name("AA:BB:CC:DD:EE:FF") == "AA:BB:CC:DD:EE:FF"
    assert redact.login_name("tamu-AABBCCDDEEFF") == "tamu-AABBCCDDEEFF"
    assert redact.login_name(None) == "-"


def test_card_links_and_name_parameters_are_blanked() -> None:
    assert redact.request_target("/portal/v/4986G-E3BT8?lang=en") == "/portal/v/…?lang=en"
    assert (
        redact.request_target("/portal/status?username=4986GE3BT8&router=r1")
        == "/portal/status?username=…&router=r1"
    )
    assert redact.request_target("/admin/sites/3") == "/admin/sites/3"


def test_routeros_commands_lose_password_words_and_known_secrets() -> None:
    text = "Error \"x\" executing command b'/login =name=admin =password=s3cr3t .tag=1'"
    assert redact.routeros_text(text) == (
        "Error \"x\" executing command b'/login =name=admin =password=… .tag=1'"
    )
    assert "s3cr3t" not in redact.routeros_text(
        "=response=00abcdef then s3cr3t", secrets=("s3cr3t",)
    )
    assert redact.routeros_text("/system/identity/print .tag=2") == "/system/identity/print .tag=2"
