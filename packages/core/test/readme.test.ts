import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { KASSA_ERROR_CODES } from '../src/errors.js';

test('the README documents every error code, and no code that does not exist', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## How it is tested'));
  const documented = new Set([...table.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]));
  for (const code of KASSA_ERROR_CODES) expect(documented, code).toContain(code);
  for (const code of documented) expect(KASSA_ERROR_CODES as readonly string[], code).toContain(code);
});
