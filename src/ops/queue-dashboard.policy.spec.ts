import { dashboardWriteAllowed, readCookie } from './queue-dashboard.policy';

describe('queue dashboard policy', () => {
  it.each([
    ['get', '/api/queues', {}, true],
    ['put', '/api/queues/:queueName/:jobId/retry', {}, true],
    ['put', '/api/queues/:queueName/retry/:queueStatus', { queueStatus: 'failed' }, true],
    ['put', '/api/queues/:queueName/retry/:queueStatus', { queueStatus: 'completed' }, false],
    ['put', '/api/queues/:queueName/promote', {}, true],
    ['put', '/api/queues/:queueName/pause', {}, true],
    ['put', '/api/queues/resume', {}, true],
    ['put', '/api/queues/:queueName/:jobId/clean', {}, false],
    ['put', '/api/queues/:queueName/clean/:queueStatus', { queueStatus: 'failed' }, false],
    ['put', '/api/queues/:queueName/empty', {}, false],
    ['put', '/api/queues/:queueName/obliterate', {}, false],
    ['post', '/api/queues/:queueName/add', {}, false],
    ['patch', '/api/queues/:queueName/:jobId/update-data', {}, false],
    ['put', '/api/queues/:queueName/job-schedulers/:schedulerId/remove', {}, false],
    ['put', '/api/some/new/route', {}, false],
    ['delete', '/api/queues/:queueName', {}, false],
  ])('%s %s %j → %s', (method, route, params, allowed) => {
    expect(dashboardWriteAllowed(method, route, params)).toBe(allowed);
  });

  it('reads one cookie from a Cookie header', () => {
    expect(readCookie('a=1; tingfeng_queues=abc.def; b=2', 'tingfeng_queues')).toBe('abc.def');
    expect(readCookie('tingfeng_queuesX=1', 'tingfeng_queues')).toBeUndefined();
    expect(readCookie(undefined, 'tingfeng_queues')).toBeUndefined();
  });
});
