"""Time and size of voucher-card PDFs for a large batch (default 5,000 cards), A4 and strip.

    .venv/bin/python scripts/bench_voucher_pdf.py [COUNT]

Needs no database: the cards are made from random codes and a profile built in memory.
Wall time and CPU time are both printed: on a shared machine the CPU time is the steadier.
"""

from __future__ import annotations

import sys
import time

from portal.i18n import translations
from portal.printing.cards import build_cards, qr_matrix
from portal.printing.pdf import render_pdf
from wifidesa.db.models import AfterQuota, Profile, ProfileLimit, QuotaPeriod
from wifidesa.vouchers.codes import random_code


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    profile = Profile(
        name="harian",
        rate_limit="2M/5M",
        devices_at_once=2,
        validity_seconds=7 * 86400,
        after_quota=AfterQuota.THROTTLE,
        throttle_rate_limit="256k/512k",
        limits=[ProfileLimit(period=QuotaPeriod.DAY, data_bytes=1024**3)],
    )
    cards = build_cards(
        village="Desa Long Apari",
        codes=[random_code() for _ in range(count)],
        profile=profile,
        public_url="https://wifi.kaltimprov.go.id",
        gettext=translations("id").gettext,
    )
    started, cpu = time.perf_counter(), time.process_time()
    for card in cards:
        qr_matrix(card.url)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"QR codes {count} cards: {seconds:6.2f} s ({cpu:6.2f} s CPU): segno alone, "
        "included in each PDF's time"
    )
    for layout in ("a4", "strip58"):
        started, cpu = time.perf_counter(), time.process_time()
        pdf = render_pdf(cards, layout, f"Bench {count}")  # type: ignore[arg-type]
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{layout:8} {count} cards: {seconds:6.2f} s ({cpu:6.2f} s CPU), "
            f"{len(pdf) / 1024**2:6.2f} MiB, "
            f"{len(pdf) / count:6.0f} bytes/card, {count / seconds:6.0f} cards/s"
        )


if __name__ == "__main__":
    main()
