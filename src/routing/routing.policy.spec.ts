import { chooseAssignee, RoutingCandidate } from './routing.policy';

// Area chain for a case in community 30 of street 20 of district 10.
const chain = [30, 20, 10];
const worker = (id: number, scope: number[], extra: Partial<RoutingCandidate> = {}): RoutingCandidate => ({
  id,
  role: 'worker',
  scopeAreaIds: scope,
  onDuty: true,
  openCases: 0,
  ...extra,
});

describe('chooseAssignee', () => {
  it.each<[string, RoutingCandidate[], number | null, string | null]>([
    ['the community worker', [worker(1, [30]), worker(2, [31]), { ...worker(3, [20]), role: 'supervisor' }], 1, 'responsible_worker'],
    ['the least loaded of two community workers', [worker(1, [30], { openCases: 4 }), worker(2, [30], { openCases: 1 })], 2, 'responsible_worker'],
    ['the lower id on equal load', [worker(5, [30]), worker(4, [30])], 4, 'responsible_worker'],
    ['the street supervisor when the worker is off duty', [worker(1, [30], { onDuty: false }), { ...worker(3, [20]), role: 'supervisor' }], 3, 'fallback_up_the_tree'],
    ['the official when nobody below is scoped', [worker(2, [31]), { ...worker(9, [10]), role: 'official' }], 9, 'fallback_up_the_tree'],
    ['a worker before a supervisor scoped to the same area', [{ ...worker(3, [30]), role: 'supervisor' }, worker(7, [30], { openCases: 9 })], 7, 'responsible_worker'],
    ['never an operator or admin', [{ ...worker(1, [30]), role: 'operator' }, { ...worker(2, [10]), role: 'admin' }], null, null],
    ['nobody when nobody is scoped', [worker(2, [31])], null, null],
  ])('routes to %s', (_name, candidates, expectedId, reason) => {
    const decision = chooseAssignee(chain, candidates);
    expect(decision?.assigneeId ?? null).toBe(expectedId);
    expect(decision?.reason ?? null).toBe(reason);
  });
});
