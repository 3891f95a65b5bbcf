"""Eligibility (X12 270 out, 271 in): which encounters to verify, the inquiries, the answers read into dated
coverage snapshots, holds on claims whose coverage is inactive or rejected, and patient-responsibility estimates."""
