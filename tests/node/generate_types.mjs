// Generates a TypeScript module per JSON Schema file with json-schema-to-typescript.
// Usage: node generate_types.mjs OUT_DIR NAME=SCHEMA_FILE...
// writes OUT_DIR/NAME.ts for each pair.
import { compileFromFile } from 'json-schema-to-typescript';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, ...pairs] = process.argv.slice(2);
for (const pair of pairs) {
  const [name, file] = pair.split('=');
  const source = await compileFromFile(file, { bannerComment: '', additionalProperties: false });
  writeFileSync(join(outDir, `${name}.ts`), source);
}
