import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadConfig, projectRoot } from '../../config/config.loader';
import { loadAnalysisResources } from '../analysis-resources';
import { readJsonl } from '../classifier/corpus';
import { KnownIssue, replayMessages } from '../hot-replay';
import { parseArgs } from './cli-args';

/**
 * npm run eval:hot -- --input ../shared/eval/hot.jsonl [--out FILE] [--issues FILE]
 *
 * Replays the messages in time order through the real per-post pipeline and the real grouping
 * decisions, in memory (see hot-replay.ts), writes the resulting cases with their message ids as
 * JSON and prints the largest. With a known-issues file (default: hot.issues.dev.jsonl beside the
 * input) it checks that each known issue came out as one case holding its messages and no unrelated ones.
 */
function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!args.input) {
    console.error('usage: npm run eval:hot -- --input ../shared/eval/hot.jsonl [--out cases.json] [--issues hot.issues.dev.jsonl]');
    process.exit(2);
  }
  const started = Date.now();
  const config = loadConfig({ auth: { secret: 'x'.repeat(32) } }, {});
  const resources = loadAnalysisResources({ root: projectRoot(), ...config.analysis });
  const { posts, cases, check } = replayMessages(readJsonl(args.input), resources, config.analysis.grouping);
  if (args.out) writeFileSync(args.out, JSON.stringify(cases, null, 1));
  console.log(`${posts} messages → ${cases.length} cases (${cases.filter((c) => c.size > 1).length} with more than one message) in ${Date.now() - started} ms`);
  console.log('largest cases:');
  for (const c of cases.slice(0, 10)) console.log(`  #${c.case}: ${c.size} messages, places ${c.places.join('、') || '—'}: ${c.messageIds.slice(0, 12).join(', ')}${c.size > 12 ? ', …' : ''}`);

  const issuesPath = args.issues ?? join(dirname(args.input), 'hot.issues.dev.jsonl');
  if (!existsSync(issuesPath)) return;
  let ok = true;
  for (const issue of readJsonl<KnownIssue>(issuesPath)) {
    const r = check(issue);
    console.log(
      `known issue ${r.issueId} (${r.description}): ${r.messages} messages → ${r.cases.length} case(s) ${r.cases.map((c) => `#${c}`).join(' ')}; ` +
        `missing ${r.missing.length}; copies of its messages under other ids ${r.copies.length}; unrelated ${r.unrelated.length}`,
    );
    for (const id of r.unrelated) console.log(`    unrelated: ${id}`);
    ok &&= r.ok;
  }
  console.log(`known issues grouped into one case each: ${ok ? 'yes' : 'no'}`);
  if (!ok) process.exitCode = 1;
}

main();
