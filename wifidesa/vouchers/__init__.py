"""Vouchers: codes and batches, the cards and their states, stock accountability, imports."""
