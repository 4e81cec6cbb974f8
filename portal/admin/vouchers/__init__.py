"""Voucher pages and API: cards, batches, printing."""
