// Case actions beyond acknowledge / respond / settle (the cases API of issue 5). Each is shown when
// the case's status allows it; if the server has no such route (404 "Cannot POST …"), the control
// is removed on first use (see perform in case.js), so the console degrades on an older server.
import { api } from './api.js';
import { field, h, select } from './ui.js';

const CHANNELS = { forum_reply: '论坛回帖', private_message: '私信', phone: '电话', visit: '上门走访' };

/** A collapsed form: <details><summary>title</summary><form>…</form></details>. */
function actionForm(id, title, controls, submitText, onSubmit) {
  const button = h('button', { type: 'submit' }, submitText);
  return h(
    'details',
    { class: 'extra-action', id: `extra-${id}` },
    h('summary', {}, title),
    h(
      'form',
      {
        onsubmit: (event) => {
          event.preventDefault();
          onSubmit(button);
        },
      },
      controls,
      h('div', { style: 'margin-top:.6rem' }, button),
    ),
  );
}

const text = (attrs = {}) => h('textarea', { required: true, minlength: 2, ...attrs });
const input = (attrs = {}) => h('input', { required: true, ...attrs });

export const EXTRA_ACTIONS = [
  {
    action: 'log_contact',
    path: (id) => `/cases/${id}/contacts`,
    form(detail, perform) {
      const party = input({ maxlength: 200, placeholder: '如：发帖人网名、物业公司' });
      const channel = select(CHANNELS, 'forum_reply');
      const summary = text({ maxlength: 5000 });
      return actionForm('contact', '记录联系', [field('act-contact-party', '联系对象', party), field('act-contact-channel', '联系方式', channel), field('act-contact-summary', '联系情况', summary)], '保存联系记录', (button) =>
        perform(button, () => api(`/cases/${detail.id}/contacts`, { method: 'POST', body: { party: party.value.trim(), channel: channel.value, summary: summary.value.trim() } }), '联系记录已保存。'),
      );
    },
  },
  {
    action: 'record_commitment',
    path: (id) => `/cases/${id}/commitments`,
    form(detail, perform) {
      const what = text({ maxlength: 2000, placeholder: '如：周五前在公告栏公示收费依据' });
      const due = input({ type: 'datetime-local' });
      return actionForm('commitment', '记录承诺', [field('act-commitment-text', '承诺内容', what), field('act-commitment-due', '兑现期限', due, '到期前会提醒您。')], '保存承诺', (button) =>
        perform(button, () => api(`/cases/${detail.id}/commitments`, { method: 'POST', body: { text: what.value.trim(), dueAt: new Date(due.value).toISOString() } }), '承诺已记录。'),
      );
    },
  },
  {
    action: 'escalate',
    path: (id) => `/cases/${id}/escalate`,
    form(detail, perform) {
      const reason = text({ maxlength: 2000 });
      return actionForm('escalate', '上报街道', [field('act-escalate-reason', '上报原因', reason)], '上报', (button) =>
        perform(button, () => api(`/cases/${detail.id}/escalate`, { method: 'POST', body: { reason: reason.value.trim() } }), '已上报街道。'),
      );
    },
  },
  {
    action: 'hand_over',
    path: (id) => `/cases/${id}/hand-over`,
    form(detail, perform) {
      const department = input({ maxlength: 200, placeholder: '如：区住建局' });
      const note = h('textarea', { maxlength: 2000 });
      return actionForm('hand-over', '移交职能部门', [field('act-handover-department', '接收部门', department), field('act-handover-note', '移交说明（可选）', note)], '移交', (button) =>
        perform(button, () => api(`/cases/${detail.id}/hand-over`, { method: 'POST', body: { department: department.value.trim(), ...(note.value.trim() ? { note: note.value.trim() } : {}) } }), '已移交。'),
      );
    },
  },
  {
    action: 'dismiss',
    path: (id) => `/cases/${id}/dismiss`,
    form(detail, perform) {
      const reason = text({ maxlength: 2000, placeholder: '如：帖子说的是外地小区，与本辖区无关' });
      return actionForm('dismiss', '误报撤销', [field('act-dismiss-reason', '撤销原因', reason, '误报会用于改进预警规则。')], '确认撤销', (button) =>
        perform(button, () => api(`/cases/${detail.id}/dismiss`, { method: 'POST', body: { reason: reason.value.trim() } }), '已作为误报撤销。'),
      );
    },
  },
  {
    action: 'comment',
    path: (id) => `/cases/${id}/comments`,
    form(detail, perform) {
      const note = text({ minlength: 1, maxlength: 5000 });
      return actionForm('comment', '添加备注', [field('act-comment-text', '备注', note)], '保存备注', (button) =>
        perform(button, () => api(`/cases/${detail.id}/comments`, { method: 'POST', body: { text: note.value.trim() } }), '备注已保存。'),
      );
    },
  },
];
