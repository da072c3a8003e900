import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOSED_STATUSES } from '../cases/case-lifecycle';
import { AppConfig } from '../config/app-config';

export interface RetentionReport {
  dryRun: boolean;
  /** Posts never part of a case, older than retention.unlinkedPostDays: deleted (with their analyses). */
  unlinkedPosts: number;
  /** Posts whose every case closed longer ago than retention.closedCasePostTextDays: text purged. */
  purgedPostTexts: number;
  /** Audit entries older than audit.retentionYears: deleted. */
  auditEntries: number;
  cutoffs: { unlinkedPosts: string; purgedPostTexts: string; auditEntries: string };
}

const BATCH = 5000;
const CLOSED = CLOSED_STATUSES.map((s) => `'${s}'`).join(', ');
const UNLINKED = `p.fetched_at < $1 AND NOT EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = p.id)`;
const PURGEABLE = `p.text_purged_at IS NULL
  AND EXISTS (SELECT 1 FROM case_posts cp WHERE cp.post_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM case_posts cp JOIN cases c ON c.id = cp.case_id
                  WHERE cp.post_id = p.id AND (c.status NOT IN (${CLOSED}) OR c.closed_at IS NULL OR c.closed_at >= $1))`;

/**
 * Keeps personal data no longer than needed: posts that never mattered go, the words behind long
 * closed cases are purged while the cases, their timelines and the figures stay. A dry run counts
 * what would go and changes nothing.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger(RetentionService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async run(opts: { dryRun: boolean; now?: Date }): Promise<RetentionReport> {
    const now = opts.now ?? new Date();
    const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
    const cutoffs = {
      unlinkedPosts: days(this.config.retention.unlinkedPostDays),
      purgedPostTexts: days(this.config.retention.closedCasePostTextDays),
      auditEntries: new Date(new Date(now).setUTCFullYear(now.getUTCFullYear() - this.config.audit.retentionYears)),
    };
    const report: RetentionReport = {
      dryRun: opts.dryRun,
      unlinkedPosts: 0,
      purgedPostTexts: 0,
      auditEntries: 0,
      cutoffs: { unlinkedPosts: cutoffs.unlinkedPosts.toISOString(), purgedPostTexts: cutoffs.purgedPostTexts.toISOString(), auditEntries: cutoffs.auditEntries.toISOString() },
    };
    if (opts.dryRun) {
      report.unlinkedPosts = await this.count(`SELECT count(*)::int AS n FROM posts p WHERE ${UNLINKED}`, cutoffs.unlinkedPosts);
      report.purgedPostTexts = await this.count(`SELECT count(*)::int AS n FROM posts p WHERE ${PURGEABLE}`, cutoffs.purgedPostTexts);
      report.auditEntries = await this.count(`SELECT count(*)::int AS n FROM audit_log WHERE at < $1`, cutoffs.auditEntries);
      return report;
    }
    report.unlinkedPosts = await this.inBatches(`DELETE FROM posts WHERE id IN (SELECT p.id FROM posts p WHERE ${UNLINKED} LIMIT ${BATCH})`, cutoffs.unlinkedPosts);
    // Earlier revisions hold the same words: they go with the post's text.
    for (;;) {
      const [{ n }] = await this.db.query(
        `WITH purged AS (
           UPDATE posts SET title = '', body = '', author = NULL, text_purged_at = now()
           WHERE id IN (SELECT p.id FROM posts p WHERE ${PURGEABLE} LIMIT ${BATCH}) RETURNING id),
         revisions AS (UPDATE post_revisions SET title = '', body = '', author = NULL WHERE post_id IN (SELECT id FROM purged))
         SELECT count(*)::int AS n FROM purged`,
        [cutoffs.purgedPostTexts],
      );
      report.purgedPostTexts += n;
      if (n < BATCH) break;
    }
    report.auditEntries = await this.inBatches(`DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < $1 LIMIT ${BATCH})`, cutoffs.auditEntries);
    this.logger.log({ ...report, cutoffs: undefined }, 'retention applied');
    return report;
  }

  private async count(sql: string, cutoff: Date): Promise<number> {
    return (await this.db.query(sql, [cutoff]))[0].n;
  }

  private async inBatches(sql: string, cutoff: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const [, affected] = (await this.db.query(sql, [cutoff])) as [unknown, number];
      total += affected;
      if (affected < BATCH) return total;
    }
  }
}
