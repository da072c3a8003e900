import { Injectable } from '@nestjs/common';
import { AreasService } from '../areas/areas.service';
import type { Actor } from '../auth/actor';
import { AppError } from '../common/app-error';
import type { Case } from './case.entity';

/** Roles that may act on any case inside their area scope; a worker acts on the cases assigned to them. */
const SCOPED_ROLES = ['supervisor', 'official', 'admin'];

/** Who may change a case: one rule for every case action. */
@Injectable()
export class CaseAccess {
  constructor(private readonly areas: AreasService) {}

  /** A supervisor, official or admin whose area scope holds the case. */
  async inScope(c: Case, actor: Actor): Promise<boolean> {
    return SCOPED_ROLES.includes(actor.role) && (await this.areas.subtreeIds(actor.scopeAreaIds)).includes(c.areaId);
  }

  /** The assignee (unless `scopedOnly`) or someone responsible for the case's area; else 403. */
  async assertMayAct(c: Case, actor: Actor, scopedOnly = false): Promise<void> {
    if (!scopedOnly && c.assigneeId === actor.id) return;
    if (await this.inScope(c, actor)) return;
    throw new AppError('forbidden', scopedOnly ? `Only a supervisor, official or admin responsible for case ${c.number} may do this` : `Case ${c.number} is not assigned to you`);
  }
}
