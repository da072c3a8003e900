import type { TermHit } from './keyword-rule';
import type { RuleExpr } from './rule-expression';
import { RuleSet } from './rule-set';

/** A stored post as the dry-run sees it: normalised text and what its analysis and cases say. */
export interface DryRunPost {
  postId: number;
  title: string;
  body: string;
  at: Date;
  areaId: number | null;
  areaPath?: readonly string[];
  domain?: string | null;
  disputeType?: string | null;
  heat?: number;
  /** Workers' verdict on the cases the post was in: confirmed (settled) or dismissed; null when none. */
  verdict?: 'confirmed' | 'dismissed' | null;
}

export interface DryRunHit {
  postId: number;
  at: Date;
  areaId: number | null;
  hits: TermHit[];
}

export interface DryRunCase {
  areaId: number;
  posts: number;
  firstAt: Date;
  lastAt: Date;
}

export interface DryRunResult {
  scanned: number;
  matched: number;
  /** The first hits (up to `sampleSize`), in time order. */
  hits: DryRunHit[];
  /** One case per area (the same open case would take every hit of its area). */
  wouldOpenCases: DryRunCase[];
  verdicts: { confirmed: number; dismissed: number };
  /** confirmed / (confirmed + dismissed) among matched posts with a verdict; null without verdicts. */
  precision: number | null;
}

/** Incremental dry-run: feed posts in batches, then take the result. */
export class DryRun {
  private readonly set: RuleSet<number>;
  private scanned = 0;
  private matched = 0;
  private readonly hits: DryRunHit[] = [];
  private readonly cases = new Map<number, DryRunCase>();
  private readonly verdicts = { confirmed: 0, dismissed: 0 };

  constructor(
    expr: RuleExpr,
    private readonly sampleSize = 100,
    /** Token start offsets for NEAR (the service passes the segmenter; default: one token per character). */
    private readonly tokenize: (text: string) => number[] = charStarts,
  ) {
    this.set = new RuleSet([{ key: 0, expr }]);
  }

  /** Counts posts of the period that were not fed because a prefilter proved they cannot match. */
  addUnmatched(count: number): void {
    this.scanned += count;
  }

  /** Whether the sample of hits is complete: later posts only count, their evidence is not kept. */
  get sampleFull(): boolean {
    return this.hits.length >= this.sampleSize;
  }

  /** A post known to match (a sufficient condition held) once the sample is full: counted without its text. */
  addMatched(p: Pick<DryRunPost, 'postId' | 'at' | 'areaId' | 'verdict'>): void {
    if (!this.sampleFull) throw new Error('addMatched is only for posts after the sample of hits is complete');
    this.scanned++;
    this.record(p);
  }

  /**
   * Posts decided in SQL (a sufficient condition held), counted together: one area's count, first and last time
   * and verdicts. Their evidence for the sample comes from `addSample`.
   */
  addSure(group: { areaId: number | null; posts: number; firstAt: Date; lastAt: Date; confirmed: number; dismissed: number }): void {
    this.scanned += group.posts;
    this.matched += group.posts;
    this.verdicts.confirmed += group.confirmed;
    this.verdicts.dismissed += group.dismissed;
    if (group.areaId === null || group.posts === 0) return;
    const c = this.cases.get(group.areaId);
    if (!c) this.cases.set(group.areaId, { areaId: group.areaId, posts: group.posts, firstAt: group.firstAt, lastAt: group.lastAt });
    else {
      c.posts += group.posts;
      if (group.firstAt < c.firstAt) c.firstAt = group.firstAt;
      if (group.lastAt > c.lastAt) c.lastAt = group.lastAt;
    }
  }

  /** A post already counted by `addSure`, evaluated only for its evidence while the sample is not complete. */
  addSample(p: DryRunPost): void {
    if (this.sampleFull) return;
    const m = this.evaluate(p, true);
    if (m) this.hits.push({ postId: p.postId, at: p.at, areaId: p.areaId, hits: m.hits.slice(0, 10) });
  }

  private evaluate(p: DryRunPost, evidence: boolean) {
    const text = `${p.title}\n${p.body}`;
    return this.set.match({
      text,
      titleLength: p.title.length,
      tokenStarts: () => this.tokenize(text),
      domain: p.domain ?? null,
      disputeType: p.disputeType ?? null,
      areaPath: p.areaPath ?? (p.areaId === null ? [] : [String(p.areaId)]),
      heat: p.heat ?? 0,
      evidence,
    })[0];
  }

  add(posts: Iterable<DryRunPost>): void {
    for (const p of posts) {
      this.scanned++;
      // Evidence is only shown for the first hits; after that only whether the post matches counts.
      const m = this.evaluate(p, !this.sampleFull);
      if (!m) continue;
      if (!this.sampleFull) this.hits.push({ postId: p.postId, at: p.at, areaId: p.areaId, hits: m.hits.slice(0, 10) });
      this.record(p);
    }
  }

  private record(p: Pick<DryRunPost, 'at' | 'areaId' | 'verdict'>): void {
    this.matched++;
    if (p.verdict === 'confirmed') this.verdicts.confirmed++;
    else if (p.verdict === 'dismissed') this.verdicts.dismissed++;
    if (p.areaId !== null) {
      const c = this.cases.get(p.areaId);
      if (!c) this.cases.set(p.areaId, { areaId: p.areaId, posts: 1, firstAt: p.at, lastAt: p.at });
      else {
        c.posts++;
        if (p.at < c.firstAt) c.firstAt = p.at;
        if (p.at > c.lastAt) c.lastAt = p.at;
      }
    }
  }

  result(): DryRunResult {
    const judged = this.verdicts.confirmed + this.verdicts.dismissed;
    return {
      scanned: this.scanned,
      matched: this.matched,
      hits: [...this.hits].sort((a, b) => a.at.getTime() - b.at.getTime()),
      wouldOpenCases: [...this.cases.values()].sort((a, b) => b.posts - a.posts || a.areaId - b.areaId),
      verdicts: { ...this.verdicts },
      precision: judged ? Math.round((this.verdicts.confirmed / judged) * 1000) / 1000 : null,
    };
  }
}

/** One token per character. */
function charStarts(text: string): number[] {
  return Array.from({ length: text.length }, (_, i) => i);
}
