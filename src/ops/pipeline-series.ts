import type { DataSource } from 'typeorm';
import { PIPELINE_VERSION } from '../analysis/analysis.service';
import { SLA_CLOCKS } from '../cases/sla-calendar';
import { OVERDUE_SQL } from '../cases/sla-config';
import { NOTIFY_CHANNELS, NOTIFY_STATUSES } from '../notify/notification.entity';
import { CRAWL_ERROR_KIND_SQL } from '../sources/crawl-run-total.entity';

export interface SqlSeries {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  /** One row per sample: the label columns and `n`, the value. */
  sql: string;
  /**
   * Run first: its one row's values, in column order, are the parameters $1… of `sql`. A value the
   * planner sees (say, where an index range starts) plans better than the same value from a subquery.
   */
  params?: string;
  /** Label sets reported as 0 when the query returns no row for them. */
  zeroes?: Array<Record<string, string>>;
}

/** The rows of a series: its `params` query first when it has one, then its `sql`. */
export async function querySeries(db: DataSource, series: SqlSeries): Promise<Array<Record<string, string | number>>> {
  const params = series.params ? Object.values((await db.query(series.params))[0] ?? {}) : [];
  return db.query(series.sql, params);
}

const perClock = SLA_CLOCKS.map((clock) => ({ clock }));
const perChannel = NOTIFY_CHANNELS.map((channel) => ({ channel }));

/** The series read from Postgres at every scrape (the source of truth, the same for every instance). */
export const PIPELINE_SERIES: SqlSeries[] = [
  {
    name: 'tingfeng_cases',
    help: 'Cases per status',
    type: 'gauge',
    sql: `SELECT status, count(*)::int AS n FROM cases GROUP BY status`,
  },
  {
    name: 'tingfeng_cases_overdue',
    help: 'Open cases whose SLA clock has run out and is still unmet, per clock',
    type: 'gauge',
    sql: `SELECT clock, count(*)::int AS n FROM (
            SELECT CASE
              WHEN c.due_acknowledge_at <= now() AND c.acknowledged_at IS NULL THEN ARRAY['acknowledge'] ELSE ARRAY[]::text[] END
              || CASE WHEN c.due_contact_at <= now() AND c.first_contact_at IS NULL AND c.first_response_at IS NULL THEN ARRAY['contact'] ELSE ARRAY[]::text[] END
              || CASE WHEN c.due_response_at <= now() AND c.first_response_at IS NULL THEN ARRAY['response'] ELSE ARRAY[]::text[] END
              || CASE WHEN c.due_settle_at <= now() AND c.closed_at IS NULL THEN ARRAY['settle'] ELSE ARRAY[]::text[] END AS clocks
            FROM cases c WHERE ${OVERDUE_SQL}
          ) o, unnest(o.clocks) AS clock GROUP BY clock`,
    zeroes: perClock,
  },
  {
    name: 'tingfeng_sla_breaches_total',
    help: 'SLA clocks that ran out before they were met (one reminder per case, clock and due time), per clock',
    type: 'counter',
    sql: `SELECT data->>'clock' AS clock, count(*)::int AS n FROM case_events WHERE type = 'sla_reminder' GROUP BY 1`,
    zeroes: perClock,
  },
  {
    name: 'tingfeng_sla_escalations_total',
    help: 'Escalations of overdue cases, per clock and stage (supervisor = street, official = district)',
    type: 'counter',
    sql: `SELECT data->>'clock' AS clock, data->>'stage' AS stage, count(*)::int AS n FROM case_events WHERE type = 'sla_escalated' GROUP BY 1, 2`,
  },
  {
    name: 'tingfeng_source_consecutive_failures',
    help: 'Consecutive failed crawls per source (0 when the last crawl succeeded)',
    type: 'gauge',
    sql: `SELECT code AS source, consecutive_failures AS n FROM sources`,
  },
  {
    name: 'tingfeng_crawl_runs_total',
    help: 'Finished crawl runs (and pushed batches) per source and outcome',
    type: 'counter',
    // The runs in the log plus those retention deleted (crawl_run_totals), so the counter never goes down.
    sql: `SELECT s.code AS source, t.status, sum(t.n)::int AS n FROM (
            SELECT source_id, status, count(*) AS n FROM crawl_runs WHERE status <> 'running' GROUP BY 1, 2
            UNION ALL SELECT source_id, status, runs FROM crawl_run_totals) t
          JOIN sources s ON s.id = t.source_id GROUP BY 1, 2`,
  },
  {
    name: 'tingfeng_crawl_errors_total',
    help: 'Failed crawl runs per source and error kind (the error code; broken = the page no longer matches the source config)',
    type: 'counter',
    sql: `SELECT s.code AS source, t.kind, sum(t.n)::int AS n FROM (
            SELECT source_id, ${CRAWL_ERROR_KIND_SQL} AS kind, count(*) AS n FROM crawl_runs WHERE status IN ('failed', 'broken') GROUP BY 1, 2
            UNION ALL SELECT source_id, error_kind, runs FROM crawl_run_totals WHERE status IN ('failed', 'broken')) t
          JOIN sources s ON s.id = t.source_id GROUP BY 1, 2`,
  },
  {
    name: 'tingfeng_crawl_request_retries_total',
    help: 'Requests retried within crawl runs (network errors, timeouts, 5xx, 429), per source',
    type: 'counter',
    sql: `SELECT s.code AS source, (coalesce((SELECT sum(r.retries) FROM crawl_runs r WHERE r.source_id = s.id), 0)
            + coalesce((SELECT sum(t.retries) FROM crawl_run_totals t WHERE t.source_id = s.id), 0))::int AS n FROM sources s`,
  },
  {
    name: 'tingfeng_posts_unanalysed',
    help: 'Posts whose current content has no analysis by the current pipeline yet',
    type: 'gauge',
    // Counted from the reconciler's mark on (everything fetched before it was found analysed), not over every post ever stored.
    params: `SELECT coalesce((SELECT analysed_before::text FROM reconcile_marks WHERE pipeline_version = ${PIPELINE_VERSION}), '-infinity') AS since`,
    sql: `SELECT count(*)::int AS n FROM posts p
           WHERE p.fetched_at >= $1::timestamptz
             AND NOT EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash AND a.pipeline_version = ${PIPELINE_VERSION})`,
  },
  {
    name: 'tingfeng_reconcile_mark_resets_total',
    help: 'Times the daily reconcile pass found unfinished work behind a mark (posts: analysed, analyses: correlated) and moved it back; 0 unless a rule stopped being an aggregate rule (its older posts then need cases)',
    type: 'counter',
    sql: `SELECT m.mark, coalesce(sum(CASE m.mark WHEN 'analysed' THEN r.analysed_resets ELSE r.correlated_resets END), 0)::int AS n
            FROM (VALUES ('analysed'), ('correlated')) m(mark) LEFT JOIN reconcile_marks r ON true GROUP BY m.mark`,
  },
  {
    name: 'tingfeng_notifications',
    help: 'Notifications (outbox rows) per channel and status; dead = dead letters waiting for an admin',
    type: 'gauge',
    sql: `SELECT channel, status, count(*)::int AS n FROM notifications GROUP BY 1, 2`,
    zeroes: perChannel.flatMap(({ channel }) => NOTIFY_STATUSES.map((status) => ({ channel, status }))),
  },
  {
    name: 'tingfeng_notification_failures_total',
    help: 'Failed delivery attempts per channel (every try that did not deliver, retried or dead-lettered)',
    type: 'counter',
    sql: `SELECT channel, sum(attempts - CASE WHEN status = 'delivered' THEN 1 ELSE 0 END)::int AS n FROM notifications GROUP BY 1`,
    zeroes: perChannel,
  },
];
