"""Remittance posting: every 835 read, balanced, matched and posted exactly once (rcm.remits.posting)."""
