/**
 * The case state machine: every status, every action, and which action is allowed from which status.
 * Pure: services ask it before they write, and answer 409 with `allowedActions` when it says no.
 */
export const CASE_STATUSES = [
  'new',
  'assigned',
  'acknowledged',
  'in_contact',
  'responded',
  'escalated',
  'handed_over',
  'settled',
  'dismissed',
  'merged',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Statuses in which a case is closed: new posts on its dispute open or reopen a case instead. */
export const CLOSED_STATUSES: readonly CaseStatus[] = ['settled', 'dismissed', 'merged'];

export const CASE_OUTCOMES = ['settled', 'partly_settled', 'handed_to_department', 'not_settled'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

export const CASE_ACTIONS = [
  'assign',
  'acknowledge',
  'log_contact',
  'respond',
  'escalate',
  'hand_over',
  'settle',
  'dismiss',
  'merge',
  'reopen',
  'reassign',
  'record_commitment',
  'acknowledge_handover',
] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];

const WORKING: CaseStatus[] = ['acknowledged', 'in_contact', 'responded', 'escalated', 'handed_over'];
const OPEN: CaseStatus[] = ['new', 'assigned', ...WORKING];

const TRANSITIONS: Record<CaseAction, { from: readonly CaseStatus[]; to: CaseStatus | 'same' }> = {
  assign: { from: ['new', 'assigned', 'escalated'], to: 'assigned' },
  acknowledge: { from: ['assigned', 'escalated'], to: 'acknowledged' },
  log_contact: { from: ['acknowledged', 'in_contact', 'responded'], to: 'same' },
  respond: { from: ['acknowledged', 'in_contact', 'responded', 'handed_over'], to: 'responded' },
  escalate: { from: ['assigned', 'acknowledged', 'in_contact', 'responded'], to: 'escalated' },
  hand_over: { from: ['acknowledged', 'in_contact', 'responded', 'escalated'], to: 'handed_over' },
  settle: { from: WORKING, to: 'settled' },
  dismiss: { from: OPEN, to: 'dismissed' },
  merge: { from: OPEN, to: 'merged' },
  reopen: { from: ['settled', 'dismissed'], to: 'assigned' },
  // Manual reassignment: the new assignee has to acknowledge again.
  reassign: { from: ['assigned', 'acknowledged', 'in_contact', 'responded', 'escalated'], to: 'assigned' },
  record_commitment: { from: ['acknowledged', 'in_contact', 'responded', 'handed_over'], to: 'same' },
  // The receiving department confirms it has taken the case over; the case stays handed over.
  acknowledge_handover: { from: ['handed_over'], to: 'same' },
};

export function isClosed(status: CaseStatus): boolean {
  return CLOSED_STATUSES.includes(status);
}

export function allowedActions(status: CaseStatus): CaseAction[] {
  return CASE_ACTIONS.filter((action) => TRANSITIONS[action].from.includes(status));
}

export type TransitionResult = { ok: true; to: CaseStatus } | { ok: false; status: CaseStatus; allowed: CaseAction[] };

/** The status after `action`, or why it is not allowed. `log_contact` from acknowledged moves to in_contact. */
export function transition(status: CaseStatus, action: CaseAction): TransitionResult {
  const rule = TRANSITIONS[action];
  if (!rule.from.includes(status)) return { ok: false, status, allowed: allowedActions(status) };
  if (rule.to !== 'same') return { ok: true, to: rule.to };
  return { ok: true, to: action === 'log_contact' && status === 'acknowledged' ? 'in_contact' : status };
}
