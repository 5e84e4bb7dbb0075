/**
 * `npm start`: the Ridge regularization lab on real MNIST digits.
 *
 * Trains one small conv net (examples/lab/variants.ts) under several penalties with the same seed
 * and the same initial weights, prints a table and writes a report folder (index.html with SVG
 * charts, results.json, table.md). Run with --help for the options; the pieces live in examples/lab/.
 */
import { HELP_TEXT, parseLabArgs } from './lab/options';
import { runLab } from './lab/run';
import { writeReport } from './lab/report';
import { formatResultsTable } from './lab/table';
import { NEAR_ZERO } from './lab/results';

async function main(argv: string[]): Promise<number> {
  const parsed = parseLabArgs(argv);
  if (parsed.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(parsed.message + '\n');
    return 2;
  }
  const o = parsed.options;
  process.stdout.write(`Ridge regularization lab: ${o.train} training / ${o.test} test MNIST digits, ${o.epochs} epochs, ` +
    `batch ${o.batch}, seed ${o.seed}, ${o.variants.length} variants${o.quick ? ' (--quick)' : ''}\n`);
  const results = await runLab(o, { progress: process.stdout });
  process.stdout.write('\n' + formatResultsTable(results) + '\n');
  process.stdout.write(`\ngap = train − test accuracy in points; penalty share = penalties / total training loss; ` +
    `|w|<${NEAR_ZERO} = fraction of kernel weights below ${NEAR_ZERO} in magnitude.\n`);
  const index = writeReport(o.out, results);
  process.stdout.write(`Report: ${index}  (results.json, table.md and the SVG charts beside it)\n`);
  process.stdout.write(`Total time ${results.seconds.toFixed(1)} s\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    process.stderr.write(`lab: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
