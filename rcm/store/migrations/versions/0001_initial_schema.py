"""Initial schema: parties, versioned encounters, claims and their history, X12 files, eligibility,
scrubber findings, remittance postings, model scores, quarantine, audit log and runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 13:20:26.294211
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.String(length=80), nullable=False),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_entity_type'), 'audit_log', ['entity_type', 'entity_id'], unique=False)

    op.create_table('control_counters',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_control_counters'))
    )
    op.create_table('model_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('card', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_model_versions_version'))
    )
    op.create_table('patients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('middle_name', sa.String(length=100), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=False),
    sa.Column('address', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patients')),
    sa.UniqueConstraint('external_id', name=op.f('uq_patients_external_id'))
    )
    op.create_table('payers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('plan_type', sa.String(length=10), nullable=True),
    sa.Column('timely_filing_days', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payers')),
    sa.UniqueConstraint('payer_id', name=op.f('uq_payers_payer_id'))
    )
    op.create_table('providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('npi', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('taxonomy', sa.String(length=10), nullable=True),
    sa.Column('tax_id', sa.String(length=9), nullable=True),
    sa.Column('address', sa.JSON(none_as_null=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
    sa.UniqueConstraint('npi', name=op.f('uq_providers_npi'))
    )
    op.create_table('quarantine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=1000), nullable=False),
    sa.Column('record_ref', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('raw', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantine')),
    sa.UniqueConstraint('source_file', 'record_ref', 'reason', name=op.f('uq_quarantine_source_file_record_ref_reason'))
    )
    op.create_index(op.f('ix_quarantine_reason'), 'quarantine', ['reason'], unique=False)

    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.JSON(none_as_null=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_runs'))
    )
    op.create_table('scrub_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rules_version', sa.String(length=80), nullable=False),
    sa.Column('claims', sa.Integer(), nullable=False),
    sa.Column('clean', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrub_runs'))
    )
    op.create_table('x12_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('path', sa.String(length=1000), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('interchange_control_number', sa.String(length=9), nullable=True),
    sa.Column('sender_id', sa.String(length=15), nullable=True),
    sa.Column('receiver_id', sa.String(length=15), nullable=True),
    sa.Column('clearinghouse', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(none_as_null=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_x12_files')),
    sa.UniqueConstraint('direction', 'content_hash', name=op.f('uq_x12_files_direction_content_hash'))
    )
    op.create_index(op.f('ix_x12_files_interchange_control_number'), 'x12_files', ['interchange_control_number'], unique=False)

    op.create_table('eligibility_inquiries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trace_number', sa.String(length=50), nullable=False),
    sa.Column('encounter_id', sa.String(length=38), nullable=True),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('payer_id', sa.String(length=80), nullable=False),
    sa.Column('service_types', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['x12_files.id'], name=op.f('fk_eligibility_inquiries_file_id_x12_files')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_eligibility_inquiries_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_eligibility_inquiries')),
    sa.UniqueConstraint('trace_number', name=op.f('uq_eligibility_inquiries_trace_number'))
    )
    op.create_index(op.f('ix_eligibility_inquiries_encounter_id'), 'eligibility_inquiries', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_eligibility_inquiries_patient_id'), 'eligibility_inquiries', ['patient_id'], unique=False)

    op.create_table('encounter_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('encounter_id', sa.String(length=38), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('date_of_service', sa.Date(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('billing_provider_id', sa.Integer(), nullable=True),
    sa.Column('rendering_provider_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(none_as_null=True), nullable=False),
    sa.Column('source_file', sa.String(length=1000), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('ingested_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['billing_provider_id'], ['providers.id'], name=op.f('fk_encounter_versions_billing_provider_id_providers')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_encounter_versions_patient_id_patients')),
    sa.ForeignKeyConstraint(['rendering_provider_id'], ['providers.id'], name=op.f('fk_encounter_versions_rendering_provider_id_providers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_encounter_versions')),
    sa.UniqueConstraint('encounter_id', 'version', name=op.f('uq_encounter_versions_encounter_id_version'))
    )
    op.create_index(op.f('ix_encounter_versions_encounter_id'), 'encounter_versions', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_encounter_versions_patient_id'), 'encounter_versions', ['patient_id'], unique=False)

    op.create_table('remittances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('trace_number', sa.String(length=50), nullable=False),
    sa.Column('payer_key', sa.String(length=80), nullable=False),
    sa.Column('payment_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payment_method', sa.String(length=3), nullable=True),
    sa.Column('payment_date', sa.Date(), nullable=True),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('balanced', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['x12_files.id'], name=op.f('fk_remittances_file_id_x12_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittances')),
    sa.UniqueConstraint('trace_number', 'payer_key', name=op.f('uq_remittances_trace_number_payer_key'))
    )
    op.create_index(op.f('ix_remittances_file_id'), 'remittances', ['file_id'], unique=False)

    op.create_table('x12_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.String(length=3), nullable=False),
    sa.Column('group_control_number', sa.String(length=9), nullable=False),
    sa.Column('transaction_control_number', sa.String(length=9), nullable=False),
    sa.Column('claim_count', sa.Integer(), nullable=False),
    sa.Column('ack_status', sa.String(length=1), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['x12_files.id'], name=op.f('fk_x12_transactions_file_id_x12_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_x12_transactions'))
    )
    op.create_index(op.f('ix_x12_transactions_file_id'), 'x12_transactions', ['file_id'], unique=False)

    op.create_table('claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_number', sa.String(length=40), nullable=False),
    sa.Column('encounter_id', sa.String(length=38), nullable=False),
    sa.Column('encounter_version_id', sa.Integer(), nullable=False),
    sa.Column('primary_claim_id', sa.Integer(), nullable=True),
    sa.Column('payer_id', sa.String(length=80), nullable=False),
    sa.Column('coverage_priority', sa.String(length=10), nullable=False),
    sa.Column('claim_type', sa.String(length=15), nullable=False),
    sa.Column('frequency_code', sa.String(length=1), nullable=False),
    sa.Column('payer_claim_number', sa.String(length=50), nullable=True),
    sa.Column('total_charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('hold_reason', sa.Text(), nullable=True),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('patient_responsibility', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['encounter_version_id'], ['encounter_versions.id'], name=op.f('fk_claims_encounter_version_id_encounter_versions')),
    sa.ForeignKeyConstraint(['payer_id'], ['payers.payer_id'], name=op.f('fk_claims_payer_id_payers')),
    sa.ForeignKeyConstraint(['primary_claim_id'], ['claims.id'], name=op.f('fk_claims_primary_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claims')),
    sa.UniqueConstraint('claim_number', name=op.f('uq_claims_claim_number'))
    )
    op.create_index(op.f('ix_claims_encounter_id'), 'claims', ['encounter_id'], unique=False)
    op.create_index(op.f('ix_claims_encounter_version_id'), 'claims', ['encounter_version_id'], unique=False)
    op.create_index(op.f('ix_claims_payer_id'), 'claims', ['payer_id'], unique=False)
    op.create_index(op.f('ix_claims_status'), 'claims', ['status'], unique=False)

    op.create_table('coverage_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=True),
    sa.Column('payer_id', sa.String(length=80), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('plan_begin', sa.Date(), nullable=True),
    sa.Column('plan_end', sa.Date(), nullable=True),
    sa.Column('eligibility_begin', sa.Date(), nullable=True),
    sa.Column('eligibility_end', sa.Date(), nullable=True),
    sa.Column('copay', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('coinsurance_percent', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('deductible', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('deductible_remaining', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('oop_remaining', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('benefits', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('aaa_codes', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('retry', sa.Boolean(), nullable=False),
    sa.Column('corrections', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('trace_number', sa.String(length=50), nullable=True),
    sa.Column('inquiry_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['x12_files.id'], name=op.f('fk_coverage_snapshots_file_id_x12_files')),
    sa.ForeignKeyConstraint(['inquiry_id'], ['eligibility_inquiries.id'], name=op.f('fk_coverage_snapshots_inquiry_id_eligibility_inquiries')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_coverage_snapshots_patient_id_patients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_snapshots'))
    )
    op.create_index(op.f('ix_coverage_snapshots_inquiry_id'), 'coverage_snapshots', ['inquiry_id'], unique=False)
    op.create_index(op.f('ix_coverage_snapshots_patient_id'), 'coverage_snapshots', ['patient_id'], unique=False)
    op.create_index(op.f('ix_coverage_snapshots_trace_number'), 'coverage_snapshots', ['trace_number'], unique=False)

    op.create_table('coverages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('encounter_version_id', sa.Integer(), nullable=False),
    sa.Column('priority', sa.String(length=10), nullable=False),
    sa.Column('payer_id', sa.String(length=80), nullable=False),
    sa.Column('member_id', sa.String(length=80), nullable=True),
    sa.Column('group_number', sa.String(length=80), nullable=True),
    sa.Column('relationship', sa.String(length=10), nullable=False),
    sa.Column('subscriber', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['encounter_version_id'], ['encounter_versions.id'], name=op.f('fk_coverages_encounter_version_id_encounter_versions')),
    sa.ForeignKeyConstraint(['patient_id'], ['patients.id'], name=op.f('fk_coverages_patient_id_patients')),
    sa.ForeignKeyConstraint(['payer_id'], ['payers.payer_id'], name=op.f('fk_coverages_payer_id_payers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverages'))
    )
    op.create_index(op.f('ix_coverages_encounter_version_id'), 'coverages', ['encounter_version_id'], unique=False)
    op.create_index(op.f('ix_coverages_patient_id'), 'coverages', ['patient_id'], unique=False)

    op.create_table('claim_diagnoses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_diagnoses_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_diagnoses')),
    sa.UniqueConstraint('claim_id', 'position', name=op.f('uq_claim_diagnoses_claim_id_position'))
    )
    op.create_index(op.f('ix_claim_diagnoses_claim_id'), 'claim_diagnoses', ['claim_id'], unique=False)

    op.create_table('claim_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('line_number', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.String(length=50), nullable=False),
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('modifier1', sa.String(length=2), nullable=True),
    sa.Column('modifier2', sa.String(length=2), nullable=True),
    sa.Column('modifier3', sa.String(length=2), nullable=True),
    sa.Column('modifier4', sa.String(length=2), nullable=True),
    sa.Column('units', sa.Numeric(precision=9, scale=3), nullable=False),
    sa.Column('charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('diagnosis_pointers', sa.String(length=20), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=False),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('revenue_code', sa.String(length=4), nullable=True),
    sa.Column('pos', sa.String(length=2), nullable=True),
    sa.Column('ndc', sa.String(length=20), nullable=True),
    sa.Column('paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('adjusted', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_lines_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_lines')),
    sa.UniqueConstraint('claim_id', 'line_number', name=op.f('uq_claim_lines_claim_id_line_number'))
    )
    op.create_index(op.f('ix_claim_lines_claim_id'), 'claim_lines', ['claim_id'], unique=False)

    op.create_table('claim_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remittance_id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('patient_control_number', sa.String(length=40), nullable=False),
    sa.Column('status_code', sa.String(length=3), nullable=False),
    sa.Column('charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('patient_responsibility', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payer_claim_number', sa.String(length=50), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('matched', sa.Boolean(), nullable=False),
    sa.Column('unmatched_reason', sa.Text(), nullable=True),
    sa.Column('segment', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_payments_claim_id_claims')),
    sa.ForeignKeyConstraint(['remittance_id'], ['remittances.id'], name=op.f('fk_claim_payments_remittance_id_remittances')),
    sa.ForeignKeyConstraint(['reverses_id'], ['claim_payments.id'], name=op.f('fk_claim_payments_reverses_id_claim_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_payments'))
    )
    op.create_index(op.f('ix_claim_payments_claim_id'), 'claim_payments', ['claim_id'], unique=False)
    op.create_index(op.f('ix_claim_payments_patient_control_number'), 'claim_payments', ['patient_control_number'], unique=False)
    op.create_index(op.f('ix_claim_payments_remittance_id'), 'claim_payments', ['remittance_id'], unique=False)

    op.create_table('claim_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cause', sa.Text(), nullable=False),
    sa.Column('source_kind', sa.String(length=20), nullable=False),
    sa.Column('source_file_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_status_changes_claim_id_claims')),
    sa.ForeignKeyConstraint(['source_file_id'], ['x12_files.id'], name=op.f('fk_claim_status_changes_source_file_id_x12_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_status_changes'))
    )
    op.create_index(op.f('ix_claim_status_changes_claim_id'), 'claim_status_changes', ['claim_id'], unique=False)

    op.create_table('claim_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('transaction_record_id', sa.Integer(), nullable=True),
    sa.Column('submission_number', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frequency_code', sa.String(length=1), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_claim_submissions_claim_id_claims')),
    sa.ForeignKeyConstraint(['file_id'], ['x12_files.id'], name=op.f('fk_claim_submissions_file_id_x12_files')),
    sa.ForeignKeyConstraint(['transaction_record_id'], ['x12_transactions.id'], name=op.f('fk_claim_submissions_transaction_record_id_x12_transactions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_submissions')),
    sa.UniqueConstraint('claim_id', 'submission_number', name=op.f('uq_claim_submissions_claim_id_submission_number'))
    )
    op.create_index(op.f('ix_claim_submissions_claim_id'), 'claim_submissions', ['claim_id'], unique=False)
    op.create_index(op.f('ix_claim_submissions_file_id'), 'claim_submissions', ['file_id'], unique=False)

    op.create_table('finding_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('encounter_version_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=80), nullable=False),
    sa.Column('line_id', sa.String(length=50), nullable=True),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_finding_overrides_claim_id_claims')),
    sa.ForeignKeyConstraint(['encounter_version_id'], ['encounter_versions.id'], name=op.f('fk_finding_overrides_encounter_version_id_encounter_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_overrides'))
    )
    op.create_index(op.f('ix_finding_overrides_claim_id'), 'finding_overrides', ['claim_id'], unique=False)

    op.create_table('provider_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remittance_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.String(length=50), nullable=False),
    sa.Column('fiscal_period_date', sa.Date(), nullable=True),
    sa.Column('reason_code', sa.String(length=5), nullable=False),
    sa.Column('reference', sa.String(length=50), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_provider_adjustments_claim_id_claims')),
    sa.ForeignKeyConstraint(['remittance_id'], ['remittances.id'], name=op.f('fk_provider_adjustments_remittance_id_remittances')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_adjustments'))
    )
    op.create_index(op.f('ix_provider_adjustments_remittance_id'), 'provider_adjustments', ['remittance_id'], unique=False)

    op.create_table('risk_scores',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('encounter_version_id', sa.Integer(), nullable=False),
    sa.Column('model_version', sa.String(length=80), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('explanation', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_risk_scores_claim_id_claims')),
    sa.ForeignKeyConstraint(['encounter_version_id'], ['encounter_versions.id'], name=op.f('fk_risk_scores_encounter_version_id_encounter_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_scores'))
    )
    op.create_index(op.f('ix_risk_scores_claim_id'), 'risk_scores', ['claim_id'], unique=False)

    op.create_table('scrub_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('encounter_version_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.String(length=50), nullable=True),
    sa.Column('rule_id', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('fix_hint', sa.Text(), nullable=True),
    sa.Column('field', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_scrub_findings_claim_id_claims')),
    sa.ForeignKeyConstraint(['encounter_version_id'], ['encounter_versions.id'], name=op.f('fk_scrub_findings_encounter_version_id_encounter_versions')),
    sa.ForeignKeyConstraint(['run_id'], ['scrub_runs.id'], name=op.f('fk_scrub_findings_run_id_scrub_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrub_findings'))
    )
    op.create_index(op.f('ix_scrub_findings_claim_id'), 'scrub_findings', ['claim_id'], unique=False)
    op.create_index(op.f('ix_scrub_findings_rule_id'), 'scrub_findings', ['rule_id'], unique=False)
    op.create_index(op.f('ix_scrub_findings_run_id'), 'scrub_findings', ['run_id'], unique=False)

    op.create_table('secondary_claim_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('built', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_secondary_claim_queue_claim_id_claims')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_secondary_claim_queue'))
    )
    op.create_index(op.f('ix_secondary_claim_queue_claim_id'), 'secondary_claim_queue', ['claim_id'], unique=False)

    op.create_table('denials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('claim_payment_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.String(length=50), nullable=True),
    sa.Column('group_code', sa.String(length=2), nullable=False),
    sa.Column('reason_code', sa.String(length=5), nullable=False),
    sa.Column('remark_codes', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('denied_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], name=op.f('fk_denials_claim_id_claims')),
    sa.ForeignKeyConstraint(['claim_payment_id'], ['claim_payments.id'], name=op.f('fk_denials_claim_payment_id_claim_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_denials'))
    )
    op.create_index(op.f('ix_denials_claim_id'), 'denials', ['claim_id'], unique=False)
    op.create_index(op.f('ix_denials_claim_payment_id'), 'denials', ['claim_payment_id'], unique=False)
    op.create_index(op.f('ix_denials_reason_code'), 'denials', ['reason_code'], unique=False)

    op.create_table('service_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_payment_id', sa.Integer(), nullable=False),
    sa.Column('claim_line_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=48), nullable=False),
    sa.Column('modifiers', sa.JSON(none_as_null=True), nullable=True),
    sa.Column('charge', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('paid', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('allowed', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('units', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.Column('service_date', sa.Date(), nullable=True),
    sa.Column('line_id', sa.String(length=50), nullable=True),
    sa.Column('matched', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['claim_line_id'], ['claim_lines.id'], name=op.f('fk_service_payments_claim_line_id_claim_lines')),
    sa.ForeignKeyConstraint(['claim_payment_id'], ['claim_payments.id'], name=op.f('fk_service_payments_claim_payment_id_claim_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_payments'))
    )
    op.create_index(op.f('ix_service_payments_claim_line_id'), 'service_payments', ['claim_line_id'], unique=False)
    op.create_index(op.f('ix_service_payments_claim_payment_id'), 'service_payments', ['claim_payment_id'], unique=False)

    op.create_table('adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_payment_id', sa.Integer(), nullable=False),
    sa.Column('service_payment_id', sa.Integer(), nullable=True),
    sa.Column('group_code', sa.String(length=2), nullable=False),
    sa.Column('reason_code', sa.String(length=5), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=9, scale=3), nullable=True),
    sa.ForeignKeyConstraint(['claim_payment_id'], ['claim_payments.id'], name=op.f('fk_adjustments_claim_payment_id_claim_payments')),
    sa.ForeignKeyConstraint(['service_payment_id'], ['service_payments.id'], name=op.f('fk_adjustments_service_payment_id_service_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustments'))
    )
    op.create_index(op.f('ix_adjustments_claim_payment_id'), 'adjustments', ['claim_payment_id'], unique=False)
    op.create_index(op.f('ix_adjustments_service_payment_id'), 'adjustments', ['service_payment_id'], unique=False)

    op.create_table('remark_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_payment_id', sa.Integer(), nullable=False),
    sa.Column('service_payment_id', sa.Integer(), nullable=True),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['claim_payment_id'], ['claim_payments.id'], name=op.f('fk_remark_codes_claim_payment_id_claim_payments')),
    sa.ForeignKeyConstraint(['service_payment_id'], ['service_payments.id'], name=op.f('fk_remark_codes_service_payment_id_service_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remark_codes'))
    )
    op.create_index(op.f('ix_remark_codes_claim_payment_id'), 'remark_codes', ['claim_payment_id'], unique=False)



def downgrade() -> None:
    op.drop_index(op.f('ix_remark_codes_claim_payment_id'), table_name='remark_codes')

    op.drop_table('remark_codes')
    op.drop_index(op.f('ix_adjustments_service_payment_id'), table_name='adjustments')
    op.drop_index(op.f('ix_adjustments_claim_payment_id'), table_name='adjustments')

    op.drop_table('adjustments')
    op.drop_index(op.f('ix_service_payments_claim_payment_id'), table_name='service_payments')
    op.drop_index(op.f('ix_service_payments_claim_line_id'), table_name='service_payments')

    op.drop_table('service_payments')
    op.drop_index(op.f('ix_denials_reason_code'), table_name='denials')
    op.drop_index(op.f('ix_denials_claim_payment_id'), table_name='denials')
    op.drop_index(op.f('ix_denials_claim_id'), table_name='denials')

    op.drop_table('denials')
    op.drop_index(op.f('ix_secondary_claim_queue_claim_id'), table_name='secondary_claim_queue')

    op.drop_table('secondary_claim_queue')
    op.drop_index(op.f('ix_scrub_findings_run_id'), table_name='scrub_findings')
    op.drop_index(op.f('ix_scrub_findings_rule_id'), table_name='scrub_findings')
    op.drop_index(op.f('ix_scrub_findings_claim_id'), table_name='scrub_findings')

    op.drop_table('scrub_findings')
    op.drop_index(op.f('ix_risk_scores_claim_id'), table_name='risk_scores')

    op.drop_table('risk_scores')
    op.drop_index(op.f('ix_provider_adjustments_remittance_id'), table_name='provider_adjustments')

    op.drop_table('provider_adjustments')
    op.drop_index(op.f('ix_finding_overrides_claim_id'), table_name='finding_overrides')

    op.drop_table('finding_overrides')
    op.drop_index(op.f('ix_claim_submissions_file_id'), table_name='claim_submissions')
    op.drop_index(op.f('ix_claim_submissions_claim_id'), table_name='claim_submissions')

    op.drop_table('claim_submissions')
    op.drop_index(op.f('ix_claim_status_changes_claim_id'), table_name='claim_status_changes')

    op.drop_table('claim_status_changes')
    op.drop_index(op.f('ix_claim_payments_remittance_id'), table_name='claim_payments')
    op.drop_index(op.f('ix_claim_payments_patient_control_number'), table_name='claim_payments')
    op.drop_index(op.f('ix_claim_payments_claim_id'), table_name='claim_payments')

    op.drop_table('claim_payments')
    op.drop_index(op.f('ix_claim_lines_claim_id'), table_name='claim_lines')

    op.drop_table('claim_lines')
    op.drop_index(op.f('ix_claim_diagnoses_claim_id'), table_name='claim_diagnoses')

    op.drop_table('claim_diagnoses')
    op.drop_index(op.f('ix_coverages_patient_id'), table_name='coverages')
    op.drop_index(op.f('ix_coverages_encounter_version_id'), table_name='coverages')

    op.drop_table('coverages')
    op.drop_index(op.f('ix_coverage_snapshots_trace_number'), table_name='coverage_snapshots')
    op.drop_index(op.f('ix_coverage_snapshots_patient_id'), table_name='coverage_snapshots')
    op.drop_index(op.f('ix_coverage_snapshots_inquiry_id'), table_name='coverage_snapshots')

    op.drop_table('coverage_snapshots')
    op.drop_index(op.f('ix_claims_status'), table_name='claims')
    op.drop_index(op.f('ix_claims_payer_id'), table_name='claims')
    op.drop_index(op.f('ix_claims_encounter_version_id'), table_name='claims')
    op.drop_index(op.f('ix_claims_encounter_id'), table_name='claims')

    op.drop_table('claims')
    op.drop_index(op.f('ix_x12_transactions_file_id'), table_name='x12_transactions')

    op.drop_table('x12_transactions')
    op.drop_index(op.f('ix_remittances_file_id'), table_name='remittances')

    op.drop_table('remittances')
    op.drop_index(op.f('ix_encounter_versions_patient_id'), table_name='encounter_versions')
    op.drop_index(op.f('ix_encounter_versions_encounter_id'), table_name='encounter_versions')

    op.drop_table('encounter_versions')
    op.drop_index(op.f('ix_eligibility_inquiries_patient_id'), table_name='eligibility_inquiries')
    op.drop_index(op.f('ix_eligibility_inquiries_encounter_id'), table_name='eligibility_inquiries')

    op.drop_table('eligibility_inquiries')
    op.drop_index(op.f('ix_x12_files_interchange_control_number'), table_name='x12_files')

    op.drop_table('x12_files')
    op.drop_table('scrub_runs')
    op.drop_table('runs')
    op.drop_index(op.f('ix_quarantine_reason'), table_name='quarantine')

    op.drop_table('quarantine')
    op.drop_table('providers')
    op.drop_table('payers')
    op.drop_table('patients')
    op.drop_table('model_versions')
    op.drop_table('control_counters')
    op.drop_index(op.f('ix_audit_log_entity_type'), table_name='audit_log')

    op.drop_table('audit_log')
