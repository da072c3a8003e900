import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In } from 'typeorm';
import { Analysis } from '../analysis/analysis.entity';
import { AreasService } from '../areas/areas.service';
import type { Actor } from '../auth/actor';
import { notFound } from '../common/app-error';
import { maskPersonalData } from '../analysis/personal-data';
import { Post } from '../posts/post.entity';
import { CaseCommitment } from './case-commitment.entity';
import { CaseContact } from './case-contact.entity';
import { CaseEvent } from './case-event.entity';
import type { SlaClock } from './sla-calendar';
import { OVERDUE_SQL, overdueClocks } from './sla-config';
import { CaseStatus } from './case-lifecycle';
import { CasePost } from './case-post.entity';
import { Case } from './case.entity';
import { CaseResponse } from './response.entity';

export interface CaseListQuery {
  status?: CaseStatus[];
  assignedToMe?: boolean;
  overdue?: boolean;
  page: number;
  pageSize: number;
}

export type CaseWithSla = Case & { overdue: boolean; overdueClocks: SlaClock[] };

/** The case with its computed SLA state: which clocks have run out. */
function withSla(c: Case, now: Date): CaseWithSla {
  const clocks = overdueClocks(c, now);
  return { ...c, overdue: clocks.length > 0, overdueClocks: clocks };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Reads cases; what an actor may see is decided in the query (scope), not after it. */
@Injectable()
export class CasesQueryService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  async list(actor: Actor, query: CaseListQuery): Promise<Page<CaseWithSla>> {
    const visible = await this.areas.subtreeIds(actor.scopeAreaIds);
    const qb = this.db
      .getRepository(Case)
      .createQueryBuilder('c')
      .where(
        new Brackets((w) => {
          w.where('c.assignee_id = :me', { me: actor.id });
          if (visible.length) w.orWhere('c.area_id IN (:...visible)', { visible });
        }),
      );
    if (query.status?.length) qb.andWhere('c.status IN (:...status)', { status: query.status });
    if (query.assignedToMe) qb.andWhere('c.assignee_id = :me', { me: actor.id });
    if (query.overdue !== undefined) qb.andWhere(query.overdue ? OVERDUE_SQL : `NOT ${OVERDUE_SQL}`);
    const [items, total] = await qb
      .orderBy("CASE c.level WHEN 'red' THEN 0 WHEN 'orange' THEN 1 WHEN 'yellow' THEN 2 ELSE 3 END", 'ASC')
      .addOrderBy('c.opened_at', 'DESC')
      .skip((query.page - 1) * query.pageSize)
      .take(query.pageSize)
      .getManyAndCount();
    const now = new Date();
    return { items: items.map((c) => withSla(c, now)), total, page: query.page, pageSize: query.pageSize };
  }

  /** The case with the posts behind it (and why each matched), its responses and its timeline. */
  async detail(actor: Actor, caseId: number) {
    const found = await this.visible(actor, caseId);
    const links = await this.db.getRepository(CasePost).find({ where: { caseId }, order: { attachedAt: 'ASC' } });
    const postIds = links.map((l) => l.postId);
    const [posts, analyses, events, responses] = await Promise.all([
      postIds.length ? this.db.getRepository(Post).findBy({ id: In(postIds) }) : [],
      postIds.length ? this.db.getRepository(Analysis).find({ where: { postId: In(postIds) }, order: { id: 'DESC' } }) : [],
      this.db.getRepository(CaseEvent).find({ where: { caseId }, order: { id: 'ASC' } }),
      this.db.getRepository(CaseResponse).find({ where: { caseId }, order: { id: 'ASC' } }),
    ]);
    const area = await this.areas.get(found.areaId);
    const [contacts, commitments] = await Promise.all([
      this.db.getRepository(CaseContact).find({ where: { caseId }, order: { id: 'ASC' } }),
      this.db.getRepository(CaseCommitment).find({ where: { caseId }, order: { id: 'ASC' } }),
    ]);
    // Personal data in residents' words is masked for everyone; the assignee or the responsible
    // supervisor reveals one post at a time with a recorded reason (CasePrivacyService.reveal).
    return {
      ...withSla(found, new Date()),
      contacts: contacts.map((c) => ({ ...c, party: maskPersonalData(c.party), summary: maskPersonalData(c.summary) })),
      commitments,
      area: area && { id: area.id, code: area.code, name: area.name, level: area.level },
      posts: postIds
        .map((id) => posts.find((p) => p.id === id))
        .filter((p): p is Post => !!p)
        .map((post) => {
          const analysis = analyses.find((a) => a.postId === post.id && a.contentHash === post.contentHash);
          return {
            ...post,
            title: maskPersonalData(post.title),
            body: maskPersonalData(post.body),
            analysis: analysis && {
              keywords: analysis.keywords.filter((k) => maskPersonalData(k) === k),
              areaId: analysis.areaId,
              areaConfidence: analysis.areaConfidence,
              matchedAlias: analysis.matchedAlias,
              category: analysis.category,
              firedRules: analysis.firedRules,
            },
          };
        }),
      responses,
      timeline: events,
    };
  }

  /** The case, when the actor may see it (else 404, which says nothing about cases outside the scope). */
  async visible(actor: Actor, caseId: number): Promise<Case> {
    const found = await this.db.getRepository(Case).findOneBy({ id: caseId });
    if (!found || !(await this.canSee(actor, found))) throw notFound('Case', caseId);
    return found;
  }

  private async canSee(actor: Actor, c: Case): Promise<boolean> {
    return c.assigneeId === actor.id || (await this.areas.subtreeIds(actor.scopeAreaIds)).includes(c.areaId);
  }
}
