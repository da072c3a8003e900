import { allowedActions, CASE_ACTIONS, CASE_STATUSES, CaseAction, CaseStatus, isClosed, transition } from './case-lifecycle';

describe('case lifecycle', () => {
  it.each<[CaseStatus, CaseAction, CaseStatus]>([
    ['new', 'assign', 'assigned'],
    ['assigned', 'acknowledge', 'acknowledged'],
    ['acknowledged', 'log_contact', 'in_contact'],
    ['in_contact', 'log_contact', 'in_contact'],
    ['in_contact', 'respond', 'responded'],
    ['acknowledged', 'respond', 'responded'],
    ['responded', 'settle', 'settled'],
    ['assigned', 'escalate', 'escalated'],
    ['escalated', 'acknowledge', 'acknowledged'],
    ['new', 'dismiss', 'dismissed'],
    ['settled', 'reopen', 'assigned'],
    ['dismissed', 'reopen', 'assigned'],
    ['responded', 'merge', 'merged'],
    ['responded', 'reassign', 'assigned'],
    ['acknowledged', 'record_commitment', 'acknowledged'],
    ['in_contact', 'record_commitment', 'in_contact'],
    ['responded', 'hand_over', 'handed_over'],
    ['handed_over', 'acknowledge_handover', 'handed_over'],
    ['handed_over', 'settle', 'settled'],
  ])('%s --%s--> %s', (from, action, to) => {
    expect(transition(from, action)).toEqual({ ok: true, to });
  });

  it.each<[CaseStatus, CaseAction]>([
    ['new', 'acknowledge'],
    ['new', 'settle'],
    ['assigned', 'respond'],
    ['assigned', 'settle'],
    ['settled', 'acknowledge'],
    ['settled', 'settle'],
    ['merged', 'reopen'],
    ['dismissed', 'respond'],
    ['new', 'reassign'],
    ['settled', 'reassign'],
    ['assigned', 'record_commitment'],
    ['responded', 'acknowledge_handover'],
    ['merged', 'merge'],
  ])('%s refuses %s and says what is allowed', (from, action) => {
    const result = transition(from, action);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.status).toBe(from);
      expect(result.allowed).toEqual(allowedActions(from));
      expect(result.allowed).not.toContain(action);
    }
  });

  it('leaves no open status without a way forward and no closed status but reopen', () => {
    for (const status of CASE_STATUSES) {
      const actions = allowedActions(status);
      if (status === 'merged') expect(actions).toEqual([]);
      else if (isClosed(status)) expect(actions).toEqual(['reopen']);
      else expect(actions.length).toBeGreaterThan(1);
    }
    expect(CASE_ACTIONS.every((a) => CASE_STATUSES.some((s) => transition(s, a).ok))).toBe(true);
  });
});
