import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CLOSED_STATUSES } from '../cases/case-lifecycle';
import { AppConfig } from '../config/app-config';
import { CRAWL_ERROR_KIND_SQL } from '../sources/crawl-run-total.entity';

export interface RetentionReport {
  dryRun: boolean;
  /** Posts never part of a case, older than retention.unlinkedPostDays: deleted (with their analyses). */
  unlinkedPosts: number;
  /** Posts whose every case closed longer ago than retention.closedCasePostTextDays: text purged. */
  purgedPostTexts: number;
  /** Audit entries older than audit.retentionYears: deleted. */
  auditEntries: number;
  /** Finished crawl runs older than retention.crawlRunDays: deleted, summed into crawl_run_totals first. */
  crawlRuns: number;
  cutoffs: { unlinkedPosts: string; purgedPostTexts: string; auditEntries: string; crawlRuns: string };
}

const BATCH = 5000;
/** A finished crawl run started before $1 (a running one is never deleted). */
const OLD_CRAWL_RUN = `started_at < $1 AND status <> 'running'`;
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
      crawlRuns: days(this.config.retention.crawlRunDays),
    };
    const report: RetentionReport = {
      dryRun: opts.dryRun,
      unlinkedPosts: 0,
      purgedPostTexts: 0,
      auditEntries: 0,
      crawlRuns: 0,
      cutoffs: {
        unlinkedPosts: cutoffs.unlinkedPosts.toISOString(),
        purgedPostTexts: cutoffs.purgedPostTexts.toISOString(),
        auditEntries: cutoffs.auditEntries.toISOString(),
        crawlRuns: cutoffs.crawlRuns.toISOString(),
      },
    };
    if (opts.dryRun) {
      report.unlinkedPosts = await this.count(`SELECT count(*)::int AS n FROM posts p WHERE ${UNLINKED}`, cutoffs.unlinkedPosts);
      report.purgedPostTexts = await this.count(`SELECT count(*)::int AS n FROM posts p WHERE ${PURGEABLE}`, cutoffs.purgedPostTexts);
      report.auditEntries = await this.count(`SELECT count(*)::int AS n FROM audit_log WHERE at < $1`, cutoffs.auditEntries);
      report.crawlRuns = await this.count(`SELECT count(*)::int AS n FROM crawl_runs WHERE ${OLD_CRAWL_RUN}`, cutoffs.crawlRuns);
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
    // Each batch deletes and adds its runs to the totals in one statement: a crash loses no count.
    report.crawlRuns = await this.inBatches(
      `WITH gone AS (DELETE FROM crawl_runs WHERE id IN (SELECT id FROM crawl_runs WHERE ${OLD_CRAWL_RUN} LIMIT ${BATCH})
                     RETURNING source_id, status, ${CRAWL_ERROR_KIND_SQL} AS error_kind, retries),
            summed AS (INSERT INTO crawl_run_totals (source_id, status, error_kind, runs, retries)
                       SELECT source_id, status, error_kind, count(*), sum(retries) FROM gone GROUP BY 1, 2, 3
                       ON CONFLICT (source_id, status, error_kind)
                       DO UPDATE SET runs = crawl_run_totals.runs + EXCLUDED.runs, retries = crawl_run_totals.retries + EXCLUDED.retries)
       SELECT count(*)::int AS n FROM gone`,
      cutoffs.crawlRuns,
      true,
    );
    this.logger.log({ ...report, cutoffs: undefined }, 'retention applied');
    return report;
  }

  private async count(sql: string, cutoff: Date): Promise<number> {
    return (await this.db.query(sql, [cutoff]))[0].n;
  }

  /** Runs `sql` until it affects fewer than BATCH rows; `counted`: the statement returns the count as `n`. */
  private async inBatches(sql: string, cutoff: Date, counted = false): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.db.query(sql, [cutoff]);
      const affected = counted ? (result as { n: number }[])[0].n : (result as [unknown, number])[1];
      total += affected;
      if (affected < BATCH) return total;
    }
  }
}
