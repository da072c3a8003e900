import { groupInMemory, GroupingPolicy, GroupingPost } from '../cases/case-grouping';
import { analyseText } from './analysis-engine';
import type { AnalysisResources } from './analysis-resources';
import type { CorpusMessage } from './classifier/corpus';
import { hammingDistance } from './simhash';

export interface ReplayCase {
  case: number;
  size: number;
  places: string[];
  messageIds: string[];
}

export interface KnownIssue {
  issue_id: number;
  description: string;
  candidate_ids_from_example_data: (number | string)[];
}

export interface IssueCheck {
  issueId: number;
  description: string;
  messages: number;
  cases: number[];
  missing: string[];
  copies: string[];
  unrelated: string[];
  ok: boolean;
}

/**
 * Replays messages in time order through the real per-post pipeline (analyseText) and the real
 * grouping decisions (cases/case-grouping.ts), in memory. Returns the cases, largest first, and a
 * checker for known issues.
 */
export function replayMessages(messages: readonly CorpusMessage[], resources: AnalysisResources, policy: GroupingPolicy) {
  const posts: GroupingPost[] = [];
  const info = new Map<string, { title: string; simhash: string; time: string }>();
  for (const m of messages) {
    const at = m.time ? Date.parse(m.time.replace(' ', 'T')) : NaN;
    if (Number.isNaN(at)) continue;
    const r = analyseText({ title: m.title ?? '', body: m.body, likes: m.likes }, { resources });
    info.set(String(m.id), { title: r.title, simhash: r.simhash, time: m.time ?? '' });
    posts.push({ postId: String(m.id), at, areaId: null, places: r.placeCandidates, simhash: r.simhash, domain: r.category.domain, topics: r.topics, keywords: r.keywords });
  }
  const cases: ReplayCase[] = groupInMemory(posts, policy)
    .sort((a, b) => b.posts.length - a.posts.length)
    .map((c, i) => ({ case: i + 1, size: c.posts.length, places: [...c.places.keys()].slice(0, 5), messageIds: c.posts.map(String) }));

  /**
   * A known issue must be one case holding its messages and no unrelated ones. The data holds some
   * messages twice under other ids: a copy (same title, same time to the second, or SimHash within
   * 10 bits of a listed message) is not unrelated.
   */
  const check = (issue: KnownIssue): IssueCheck => {
    const want = issue.candidate_ids_from_example_data.map(String);
    const holding = cases.filter((c) => c.messageIds.some((id) => want.includes(id)));
    const extra = holding.flatMap((c) => c.messageIds.filter((id) => !want.includes(id)));
    const listed = want.map((id) => info.get(id)).filter((x) => !!x);
    const isCopy = (id: string) => {
      const x = info.get(id)!;
      return listed.some((l) => l.title === x.title || l.time === x.time || hammingDistance(l.simhash, x.simhash) <= 10);
    };
    const missing = want.filter((id) => !holding.some((c) => c.messageIds.includes(id)));
    const unrelated = extra.filter((id) => !isCopy(id));
    return {
      issueId: issue.issue_id,
      description: issue.description,
      messages: want.length,
      cases: holding.map((c) => c.case),
      missing,
      copies: extra.filter(isCopy),
      unrelated,
      ok: holding.length === 1 && missing.length === 0 && unrelated.length === 0,
    };
  };
  return { posts: posts.length, cases, check };
}
