import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSourcePreview } from '../../src/crawl/cli/source-preview.cli';
import { SourcesCliModule } from '../../src/sources/cli/sources-cli.module';
import { importSources } from '../../src/sources/cli/sources-import.cli';
import { SourcesService } from '../../src/sources/sources.service';
import { createTestEnv, TestEnv } from '../support/test-env';

const EVAL = join(__dirname, '../../../shared/eval/html');

describe('source commands: preview a saved page, import sources from YAML', () => {
  let env: TestEnv;
  let app: INestApplicationContext;
  const dir = mkdtempSync(join(tmpdir(), 'tf-sources-'));

  beforeAll(async () => {
    env = await createTestEnv();
    app = await NestFactory.createApplicationContext(SourcesCliModule.forRoot(env.config()), { logger: false, abortOnError: false });
  });

  afterAll(async () => {
    await app?.close();
    await env?.teardown();
  });

  it('prints the items of a saved Discuz! board and thread as JSON', () => {
    const board = JSON.parse(runSourcePreview(['--kind', 'discuz', '--file', join(EVAL, 'recharge_forumdisplay_forum-2-1_utf8.html'), '--url', 'https://bbs.example.cn/forum-2-1.html']));
    expect(board.page).toBe('list');
    expect(board.items.length).toBeGreaterThanOrEqual(5);
    expect(board.items[0]).toEqual({
      externalId: '12',
      title: expect.any(String),
      author: expect.any(String),
      time: '2022-03-02T16:00:00.000Z',
      url: 'https://bbs.example.cn/thread-12-1-1.html',
      replies: 0,
      views: 35,
    });
    const gbk = JSON.parse(runSourcePreview(['--kind', 'discuz', '--file', join(EVAL, '1984bbs_viewthread_DVD_gbk.html')]));
    expect(gbk.page).toBe('detail');
    expect(gbk.items).toHaveLength(1);
    expect(gbk.items[0]).toMatchObject({ externalId: '1903', time: '2008-12-16T09:43:00.000Z', body: expect.stringMatching(/\n/) });
    expect(JSON.stringify(gbk)).not.toContain('\uFFFD');
    expect(() => runSourcePreview(['--kind', 'discuz'])).toThrow(/Usage/);
  });

  it('previews an html page with a selector config file', () => {
    const page = join(dir, 'list.html');
    writeFileSync(page, '<ul><li class="t"><a href="/t/9">电梯停运</a><span class="n">回复 4</span></li></ul>');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'list:\n  item: li.t\n  link: a\n  replies: .n\ndetail:\n  body: .c\n');
    expect(JSON.parse(runSourcePreview(['--kind', 'html', '--file', page, '--url', 'https://x.example.cn/list', '--config', config])).items).toEqual([
      { externalId: 'https://x.example.cn/t/9', title: '电梯停运', url: 'https://x.example.cn/t/9', replies: 4 },
    ]);
  });

  it('imports the example sources file, and refuses a bad one naming the entry and field without writing', async () => {
    const service = app.get(SourcesService);
    const out = await importSources(service, join(__dirname, '../../config/sources.example.yaml'));
    expect(out).toMatch(/Imported 5 sources/);
    const codes = (await service.list()).map((s) => [s.code, s.kind]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['bbs-neighbourhood', 'discuz'],
        ['bbs-complaints', 'html'],
        ['street-news', 'rss'],
        ['platform-api', 'json'],
        ['hotline-export', 'push'],
      ]),
    );
    // Importing again updates, never duplicates.
    await importSources(service, join(__dirname, '../../config/sources.example.yaml'));
    expect(await service.list()).toHaveLength(5);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'sources:\n  - { code: ok-one, name: a, kind: rss, url: "https://a.example.cn/feed" }\n  - { code: bad-one, name: b, kind: html, url: "https://b.example.cn/", config: { list: { item: li }, detail: { body: p } } }\n');
    await expect(importSources(service, bad)).rejects.toMatchObject({ details: { field: 'sources[1].config.list.link' } });
    expect((await service.list()).map((s) => s.code)).not.toContain('ok-one');
  });
});
