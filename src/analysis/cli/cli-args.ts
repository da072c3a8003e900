/** `--name value` and `--name=value` pairs; `--flag` alone is 'true'. */
export function parseArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) out[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[arg.slice(2)] = argv[++i];
    else out[arg.slice(2)] = 'true';
  }
  return out;
}

/** Training options given on the command line (--epochs, --learning-rate, --l2, --min-df, --seed, --prune-below, --balanced). */
export function trainOptionsFromArgs(args: Record<string, string>): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  const num: [string, string][] = [['epochs', 'epochs'], ['learning-rate', 'learningRate'], ['l2', 'l2'], ['min-df', 'minDf'], ['seed', 'seed'], ['prune-below', 'pruneBelow'], ['ensemble', 'ensemble']];
  for (const [flag, key] of num) if (args[flag] !== undefined) out[key] = Number(args[flag]);
  if (args.balanced !== undefined) out.balanced = args.balanced !== 'false';
  if (args.average !== undefined) out.average = args.average !== 'false';
  if (args['fit-bias'] !== undefined) out.fitBias = args['fit-bias'] !== 'false';
  return out;
}
