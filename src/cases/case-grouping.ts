import { samePlace } from '../analysis/place-candidates';
import { hammingDistance } from '../analysis/simhash';

/** What grouping needs to know about a post (from its analysis). */
export interface GroupingPost {
  postId: number | string;
  /** Milliseconds since the epoch (published, else fetched). */
  at: number;
  /** Area from a gazetteer alias (null when only a fallback or nothing placed it). */
  areaId: number | null;
  places: readonly string[];
  simhash: string | null;
  domain: string | null;
  /** Dispute types whose terms occur, strongest first (see taxonomy topicTypes). */
  topics: readonly string[];
  keywords: readonly string[];
}

/** A case as grouping sees it: counts of its posts' places, topics and keywords, fingerprints, open or closed. */
export interface GroupingCase {
  caseId: number | string;
  open: boolean;
  /** When it was closed (ms), for closed cases. */
  closedAt: number | null;
  lastAt: number;
  areaId: number | null;
  places: Map<string, number>;
  simhashes: string[];
  domains: Map<string, number>;
  topics: Map<string, number>;
  keywords: Map<string, number>;
  posts: (number | string)[];
}

export interface GroupingPolicy {
  windowDays: number;
  duplicateBits: number;
  reopenDays: number;
}

export type GroupingReason = 'near_duplicate' | 'same_topic';

export type GroupingDecision =
  | { action: 'attach'; caseId: number | string; reason: GroupingReason }
  | { action: 'reopen'; caseId: number | string; reason: GroupingReason }
  | { action: 'open' };

const DAY = 86_400_000;

/** The `n` most frequent keys (ties: first seen first), so a growing case does not snowball. */
export function topKeys(map: Map<string, number>, n: number): string[] {
  return [...map.entries()]
    .map(([k, v], i) => ({ k, v, i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, n)
    .map((x) => x.k);
}

/** Same place: the same gazetteer area, or a place candidate shared with the case's main places (魅力之城 ~ 万科魅力之城小区). */
export function samePlaceAs(post: GroupingPost, c: GroupingCase): boolean {
  if (post.areaId !== null && c.areaId !== null && post.areaId === c.areaId) return true;
  const main = topKeys(c.places, 3);
  // A compound, estate or village says more than a road: a post that names one is matched on it
  // alone (two compounds on the same road are two disputes); road-only posts are matched on roads.
  const specific = post.places.filter(isSpecificPlace);
  if (specific.length) return specific.some((p) => main.some((q) => isSpecificPlace(q) && samePlace(p, q)));
  return post.places.some((p) => main.some((q) => samePlace(p, q)));
}

const isSpecificPlace = (name: string): boolean => !/(路|街|大道|大街)$/.test(name);

/**
 * Same topic: the post's main dispute types meet the case's (油烟 and 噪音扰民 posts about one
 * street-front shop join; a cracked-wall post about the same compound does not); a post without any
 * lexicon topic needs the same domain and three of the case's main keywords.
 */
export function sameTopicAs(post: GroupingPost, c: GroupingCase): boolean {
  const caseTopics = topKeys(c.topics, 2);
  if (post.topics.length) return post.topics.slice(0, 2).some((t) => caseTopics.includes(t));
  if (!post.domain || topKeys(c.domains, 1)[0] !== post.domain) return false;
  const main = new Set(topKeys(c.keywords, 20));
  return post.keywords.filter((k) => main.has(k)).length >= 3;
}

function isNearDuplicate(post: GroupingPost, c: GroupingCase, bits: number): boolean {
  return post.simhash !== null && c.simhashes.some((h) => hammingDistance(h, post.simhash!) <= bits);
}

/**
 * Where a post goes: a near-duplicate of a case's post, or a same-topic post of the same place
 * within the window, joins that open case; if the matching case was closed less than reopenDays
 * ago it is reopened; otherwise a new case opens. Open cases are preferred, then the most recent.
 */
export function decideGrouping(post: GroupingPost, cases: Iterable<GroupingCase>, policy: GroupingPolicy): GroupingDecision {
  let best: { c: GroupingCase; reason: GroupingReason; rank: number } | null = null;
  for (const c of cases) {
    const recentEnough = c.open ? post.at - c.lastAt <= policy.windowDays * DAY : c.closedAt !== null && post.at - c.closedAt <= policy.reopenDays * DAY;
    if (!recentEnough) continue;
    let reason: GroupingReason | null = null;
    if (isNearDuplicate(post, c, policy.duplicateBits)) reason = 'near_duplicate';
    else if (samePlaceAs(post, c) && sameTopicAs(post, c)) reason = 'same_topic';
    if (!reason) continue;
    const rank = (c.open ? 2 : 0) + (reason === 'near_duplicate' ? 1 : 0);
    if (!best || rank > best.rank || (rank === best.rank && c.lastAt > best.c.lastAt)) best = { c, reason, rank };
  }
  if (!best) return { action: 'open' };
  return { action: best.c.open ? 'attach' : 'reopen', caseId: best.c.caseId, reason: best.reason };
}

/** A grouping case built from its posts (the service builds them from a case's stored analyses). */
export function caseFromPosts(caseId: number | string, posts: readonly GroupingPost[], state: { open: boolean; closedAt: number | null } = { open: true, closedAt: null }): GroupingCase {
  const c: GroupingCase = {
    caseId,
    open: true,
    closedAt: null,
    lastAt: 0,
    areaId: null,
    places: new Map(),
    simhashes: [],
    domains: new Map(),
    topics: new Map(),
    keywords: new Map(),
    posts: [],
  };
  for (const p of posts) addToCase(c, p);
  c.open = state.open;
  c.closedAt = state.closedAt;
  return c;
}

/** Folds a post into a case's summary (and reopens it if it was closed). */
export function addToCase(c: GroupingCase, post: GroupingPost): void {
  c.open = true;
  c.closedAt = null;
  c.lastAt = Math.max(c.lastAt, post.at);
  c.posts.push(post.postId);
  const bump = (m: Map<string, number>, k: string | null) => k && m.set(k, (m.get(k) ?? 0) + 1);
  for (const p of post.places) bump(c.places, p);
  if (post.simhash) c.simhashes.push(post.simhash);
  bump(c.domains, post.domain);
  for (const t of post.topics.slice(0, 2)) bump(c.topics, t);
  for (const k of post.keywords) bump(c.keywords, k);
  if (c.areaId === null) c.areaId = post.areaId;
}

/**
 * Groups posts in time order purely in memory, with the same decisions the service makes against
 * the database; returns the cases with their posts.
 */
export function groupInMemory(posts: readonly GroupingPost[], policy: GroupingPolicy): GroupingCase[] {
  const cases: GroupingCase[] = [];
  const byId = new Map<number | string, GroupingCase>();
  for (const post of [...posts].sort((a, b) => a.at - b.at)) {
    const decision = decideGrouping(post, cases, policy);
    if (decision.action === 'open') {
      const c = caseFromPosts(cases.length + 1, [post]);
      cases.push(c);
      byId.set(c.caseId, c);
    } else addToCase(byId.get(decision.caseId)!, post);
  }
  return cases;
}
