// Writes portal/js/api-types.js: a JSDoc typedef for every schema of the OpenAPI document
// (openapi/scmp.json), so the portal's scripts are type-checked (tsc --checkJs) against the API
// they call. `node gen-types.mjs --check` fails when the checked-in file is not current.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = JSON.parse(readFileSync(join(root, 'openapi', 'scmp.json'), 'utf8'));
const out = join(root, 'portal', 'js', 'api-types.js');

/** The JSDoc type of a schema. */
function type(s) {
  if (!s) return '*';
  if (s.$ref) return s.$ref.split('/').pop();
  if (s.oneOf) {
    const parts = s.oneOf.map(type);
    return parts.length > 1 ? `(${parts.join('|')})` : parts[0];
  }
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join('|');
  const t = Array.isArray(s.type) ? s.type : [s.type];
  const names = t.map((x) => {
    switch (x) {
      case 'string': return 'string';
      case 'integer': case 'number': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': return `Array<${type(s.items)}>`;
      case 'object': return s.additionalProperties ? `Object<string, ${type(s.additionalProperties)}>` : 'Object';
      default: return '*';
    }
  });
  return names.length > 1 ? `(${names.join('|')})` : names[0];
}

const lines = [
  '// The API\'s types, for the portal\'s type check: generated from openapi/scmp.json by',
  '// tests/portal/gen-types.mjs (do not edit; run `node tests/portal/gen-types.mjs` after the',
  '// document changes). Type definitions only: nothing here runs.',
  '',
];
for (const [name, s] of Object.entries(doc.components.schemas).sort(([a], [b]) => a.localeCompare(b))) {
  const description = (s.description || '').replace(/\s*\n\s*/g, ' ');
  if (s.type === 'object' || s.properties) {
    lines.push(`/** ${description || name}`, ` * @typedef {Object} ${name}`);
    const required = new Set(s.required || []);
    for (const [p, ps] of Object.entries(s.properties || {})) {
      const doc1 = (ps.description || ps.oneOf?.find((o) => o.description)?.description || '').replace(/\s*\n\s*/g, ' ');
      const key = required.has(p) ? p : `[${p}]`;
      lines.push(` * @property {${type(ps)}} ${key}${doc1 ? ` ${doc1}` : ''}`);
    }
    lines.push(' */');
  } else {
    lines.push(`/** ${description || name}`, ` * @typedef {${type(s)}} ${name} */`);
  }
}
lines.push('export {};', '');
const text = lines.join('\n');
if (process.argv.includes('--check')) {
  const now = readFileSync(out, 'utf8');
  if (now !== text) {
    console.error('portal/js/api-types.js is stale: run node tests/portal/gen-types.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
}
