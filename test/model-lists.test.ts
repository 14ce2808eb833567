// Every text that lists the models agrees with the registry (src/specs/), so a new model
// cannot be left out of the README, the contract, --help or the demo.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { train } from '../src/cli/commands/train.ts';
import { RULES } from '../src/config/rules.ts';
import { MODEL_NAMES, MODEL_SPECS } from '../src/specs/index.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const contract = readFileSync(new URL('../docs/contract.md', import.meta.url), 'utf8');

/** The rows of the README's model table, in order: [name, summary]. */
function readmeModelRows(): [string, string][] {
  const start = readme.indexOf('<!-- models:');
  expect(start, 'the README has its model table').toBeGreaterThan(-1);
  const table = readme.slice(start).split('\n\n')[0];
  return [...table.matchAll(/^\| `([^`]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
}

describe('model lists', () => {
  it('the README table lists every model with its summary, in registry order', () => {
    expect(readmeModelRows()).toEqual(MODEL_SPECS.map((s) => [s.name, s.summary]));
  });

  it('the README never counts the models in words', () => {
    expect(readme).not.toMatch(/\b(two|three|four|five) models\b/i);
  });

  it('the contract has a section per model and lists every name in its model key', () => {
    for (const name of MODEL_NAMES) expect(contract, `contract §3 heading for ${name}`).toMatch(new RegExp(`^### \`${name}\``, 'm'));
    const keyRow = contract.split('\n').find((l) => l.startsWith('| `model` |'));
    expect([...(keyRow ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]).slice(1, -1)).toEqual(MODEL_NAMES);
  });

  it('the model rule and train --help name every model', () => {
    expect(RULES.model).toEqual({ kind: 'choice', values: MODEL_NAMES });
    for (const s of MODEL_SPECS) {
      expect(train.usage).toContain(`[--model ${MODEL_NAMES.join('|')}]`);
      expect(train.usage).toMatch(new RegExp(`^ +${s.name} +${s.summary.replace(/[.()]/g, '\\$&')}`, 'm'));
    }
  });
});
