import { maskForNotification } from './mask';

/** The case facts a message names. */
export interface CaseFacts {
  id: number;
  number: string;
  level: string;
  category: string | null;
  areaName?: string | null;
}

const LEVEL: Record<string, string> = { red: '红色', orange: '橙色', yellow: '黄色', blue: '蓝色' };
const CLOCK: Record<string, string> = { acknowledge: '确认接单', contact: '首次联系', response: '公开回应', settle: '办结' };

function describe(c: CaseFacts): string {
  return `${c.number}（${c.areaName ?? '未定位'}·${c.category ?? '未分类'}·${LEVEL[c.level] ?? c.level}预警）`;
}

function at(iso: unknown): string {
  if (typeof iso !== 'string' && !(iso instanceof Date)) return '';
  const d = new Date(iso);
  // Beijing time, e.g. 11月26日 17:30
  const bj = new Date(d.getTime() + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${bj.getUTCMonth() + 1}月${bj.getUTCDate()}日 ${pad(bj.getUTCHours())}:${pad(bj.getUTCMinutes())}`;
}

/**
 * The Chinese title and text of a notification about a case. Pure; everything that comes from
 * people (reasons, notes, commitment texts) is masked, so no phone or ID number leaves in a message.
 */
export function buildMessage(event: string, c: CaseFacts, data: Record<string, unknown> = {}): { title: string; body: string } {
  const text = (key: string) => maskForNotification(String(data[key] ?? '')).slice(0, 500);
  const subject = describe(c);
  switch (event) {
    case 'assigned':
      return { title: `新案件 ${c.number}`, body: `案件 ${subject} 已分派给您，请尽快确认接单。` };
    case 'reassigned':
      return { title: `案件转派 ${c.number}`, body: `案件 ${subject} 已转派给您。转派原因：${text('reason')}` };
    case 'sla_reminder':
      return { title: `即将超时 ${c.number}`, body: `案件 ${subject} 的“${CLOCK[String(data.clock)] ?? data.clock}”时限已到（${at(data.dueAt)}），请立即处理。` };
    case 'sla_escalated':
      return {
        title: `超时升级 ${c.number}`,
        body: `案件 ${subject} 的“${CLOCK[String(data.clock)] ?? data.clock}”已于 ${at(data.dueAt)} 超时，仍未完成，现升级至${data.stage === 'official' ? '区级' : '街道'}督办。`,
      };
    case 'escalated':
      return { title: `案件上报 ${c.number}`, body: `案件 ${subject} 已由社工上报，请督办。原因：${text('reason')}` };
    case 'handed_over':
      return { title: `移交部门 ${c.number}`, body: `案件 ${subject} 已移交“${text('department')}”，等待对方确认接收。${text('note')}` };
    case 'commitment_due':
      return { title: `承诺到期 ${c.number}`, body: `您对群众承诺的事项已到期（${at(data.dueAt)}）：${text('text')}` };
    case 'reopened':
      if (data.auto) return { title: `案件重新打开 ${c.number}`, body: `案件 ${subject} 办结后，同一纠纷又出现了新的帖子，案件已自动重新打开，请跟进处理。` };
      return { title: `案件重新打开 ${c.number}`, body: `案件 ${subject} 已重新打开。原因：${text('reason')}` };
    case 'level_raised':
      return {
        title: `预警升级 ${c.number}`,
        body:
          `案件 ${subject} 的预警等级已由${LEVEL[String(data.from)] ?? data.from}升为${LEVEL[String(data.to)] ?? data.to}：` +
          `近 ${Number(data.windowHours)} 小时内相关帖子 ${Number(data.posts)} 条、发帖人 ${Number(data.authors)} 位。请按新的预警等级优先处理。`,
      };
    default:
      return { title: `案件动态 ${c.number}`, body: `案件 ${subject} 有新的动态（${event}）。` };
  }
}
