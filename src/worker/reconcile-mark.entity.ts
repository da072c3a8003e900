import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * How far the reconciler has verified the pipeline's work, per pipeline version, so that a pass reads
 * only what came since instead of every post and analysis ever stored. Marks only move forward on an
 * incremental pass; a pass from the beginning (at least daily) sets them to what it found.
 */
@Entity('reconcile_marks')
export class ReconcileMark {
  @PrimaryColumn('integer')
  pipelineVersion: number;

  /** Every post fetched (stored or edited) before this had an analysis of its content when checked. */
  @Column('timestamptz', { default: () => "'-infinity'" })
  analysedBefore: Date;

  /** When the posts were last checked from the beginning. */
  @Column('timestamptz', { default: () => "'-infinity'" })
  analysedSweptAt: Date;

  /** Every analysis with a smaller id was in a case, or needed none, when checked. */
  @Column('integer', { default: 0 })
  correlatedBelow: number;

  /** When the analyses were last checked from the beginning. */
  @Column('timestamptz', { default: () => "'-infinity'" })
  correlatedSweptAt: Date;

  /** Times the daily pass found a post behind `analysedBefore` (which should never happen), and moved the mark back. */
  @Column('integer', { default: 0 })
  analysedResets: number;

  /** Times the daily pass found an analysis behind `correlatedBelow`, and moved the mark back. */
  @Column('integer', { default: 0 })
  correlatedResets: number;

  /** The analyses id sequence's last value, sampled at `idSampledAt`. */
  @Column('integer', { default: 0 })
  idSample: number;

  @Column('timestamptz', { default: () => "'-infinity'" })
  idSampledAt: Date;

  /** A sample at least grace + margin old: every analysis id up to it belongs to a finished transaction; `correlatedBelow` stays at most one above. */
  @Column('integer', { default: 0 })
  idSettled: number;
}
