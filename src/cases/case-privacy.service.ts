import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { Actor } from '../auth/actor';
import { AppError, notFound } from '../common/app-error';
import { Post } from '../posts/post.entity';
import { CaseEvent } from './case-event.entity';
import { CasePost } from './case-post.entity';
import { Case } from './case.entity';

/**
 * Unmasked post text for the people who must contact the poster: the case's assignee and the
 * supervisor responsible for its area. Every reveal is on the case timeline with its reason (and in
 * the audit log, like every write).
 */
@Injectable()
export class CasePrivacyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
  ) {}

  async reveal(caseId: number, postId: number, actor: Actor, reason: string) {
    const c = await this.db.getRepository(Case).findOneBy({ id: caseId });
    if (!c) throw notFound('Case', caseId);
    const isAssignee = c.assigneeId === actor.id;
    const isSupervisor = actor.role === 'supervisor' && (await this.areas.subtreeIds(actor.scopeAreaIds)).includes(c.areaId);
    if (!isAssignee && !isSupervisor) {
      throw new AppError('forbidden', `Only the assignee of case ${c.number} or its street supervisor may see personal data`);
    }
    if (!(await this.db.getRepository(CasePost).existsBy({ caseId, postId }))) throw notFound(`Post of case ${c.number}`, postId);
    const post = await this.db.getRepository(Post).findOneByOrFail({ id: postId });
    await this.db.getRepository(CaseEvent).insert({ caseId, type: 'personal_data_revealed', actorId: actor.id, data: { postId, reason } });
    return { postId, title: post.title, body: post.body, author: post.author };
  }
}
