// face-api.js's expression net on a folder of <label>/* crops, as `npm run eval -- <dir> --anchor face-api`
// scores it (scripts/eval.mjs: TF.js wasm in Node), its JSON printed on one line: the line
// training/emoface_training/evaluate.py reads for models/faceapi.json and models/REPORT.md.
//   node scripts/faceApiEval.mjs <dir with <label>/* crops> [more options of scripts/eval.mjs]
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
if (args.length === 0) throw new Error('usage: node scripts/faceApiEval.mjs <dir with <label>/* crops> [more options of scripts/eval.mjs]');
let printed;
try {
  printed = execFileSync(process.execPath, [fileURLToPath(new URL('eval.mjs', import.meta.url)), ...args, '--anchor', 'face-api'], {
    encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'],
  });
} catch (error) {
  process.exit(error.status ?? 1); // eval.mjs has said why on stderr
}
console.log(JSON.stringify(JSON.parse(printed)));
