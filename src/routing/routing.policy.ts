import type { UserRole } from '../auth/user.entity';

export interface RoutingCandidate {
  id: number;
  role: UserRole;
  scopeAreaIds: number[];
  onDuty: boolean;
  openCases: number;
}

export interface RoutingDecision {
  assigneeId: number;
  /** The area (from the chain) whose responsible person was chosen. */
  viaAreaId: number;
  reason: 'responsible_worker' | 'fallback_up_the_tree';
}

/** Who may be handed a case, most preferred first. Operators and admins are never assigned. */
const ASSIGNABLE: readonly UserRole[] = ['worker', 'supervisor', 'official'];

/**
 * Picks the person responsible for a case: walking from the case's area up the tree (`chain`, nearest
 * first), the first area that someone on duty is scoped to wins; there, workers before supervisors
 * before officials, and the least loaded (then the lowest id) among them.
 */
export function chooseAssignee(chain: readonly number[], candidates: readonly RoutingCandidate[]): RoutingDecision | null {
  for (const [depth, areaId] of chain.entries()) {
    const here = candidates.filter((c) => c.onDuty && ASSIGNABLE.includes(c.role) && c.scopeAreaIds.includes(areaId));
    if (here.length === 0) continue;
    const best = [...here].sort(
      (a, b) => ASSIGNABLE.indexOf(a.role) - ASSIGNABLE.indexOf(b.role) || a.openCases - b.openCases || a.id - b.id,
    )[0];
    return { assigneeId: best.id, viaAreaId: areaId, reason: depth === 0 && best.role === 'worker' ? 'responsible_worker' : 'fallback_up_the_tree' };
  }
  return null;
}
