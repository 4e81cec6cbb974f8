"""Voucher cards for print: what each card says, QR codes, PDF sheets and strips."""
