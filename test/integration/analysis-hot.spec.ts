import { join } from 'node:path';
import { analysisResources } from '../../src/analysis/analysis-resources';
import { readJsonl } from '../../src/analysis/classifier/corpus';
import { KnownIssue, replayMessages } from '../../src/analysis/hot-replay';
import { loadConfig, projectRoot } from '../../src/config/config.loader';

const EVAL = join(__dirname, '../../../shared/eval');

/** The hot-issue replay (what npm run eval:hot runs) on the real evaluation data. */
describe('hot-issue replay', () => {
  it('puts the known issue of hot.issues.dev.jsonl into one case with its messages and no unrelated ones', () => {
    const config = loadConfig({ auth: { secret: 'x'.repeat(32) } }, {}, []);
    const resources = analysisResources({ root: projectRoot(), ...config.analysis });
    const { posts, cases, check } = replayMessages(readJsonl(join(EVAL, 'hot.jsonl')), resources, config.analysis.grouping);
    expect(posts).toBeGreaterThan(4000);
    const [issue] = readJsonl<KnownIssue>(join(EVAL, 'hot.issues.dev.jsonl'));
    const result = check(issue);
    expect(result).toMatchObject({ missing: [], unrelated: [], ok: true });
    expect(result.cases).toHaveLength(1);
    // Grouping does not lump everything together: most messages stay in cases of their own.
    expect(cases.length).toBeGreaterThan(posts / 2);
  }, 120_000);
});
