// Computes reference face descriptors with the original face-api.js
// (@vladmandic/face-api 1.7.15 on TensorFlow.js with the wasm backend) for the
// Go port's parity test in internal/evidence/face/facenet.
//
// Run: cd scripts/face-reference && npm ci && node reference.mjs
//
// Input: every PNG in internal/evidence/face/facenet/testdata/chips (150x150
// RGB chips made by that package's TestChips). Model: models/face-api, the
// same files the Go package embeds. Output:
// internal/evidence/face/facenet/testdata/reference.json, {chip: [128 numbers]}.
// Only the recognition net runs: no detection, no alignment, no resizing.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const require = createRequire(import.meta.url);
const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
const tf = faceapi.tf;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const modelDir = path.join(root, 'models', 'face-api');
const pkgDir = path.join(root, 'internal', 'evidence', 'face', 'facenet', 'testdata');
const chipDir = path.join(pkgDir, 'chips');
const outFile = path.join(pkgDir, 'reference.json');
const SIZE = 150;

function readChip(file) {
  const png = PNG.sync.read(fs.readFileSync(file));
  if (png.width !== SIZE || png.height !== SIZE) {
    throw new Error(`${file}: ${png.width}x${png.height}, want ${SIZE}x${SIZE}`);
  }
  // pngjs always yields RGBA; the chips are opaque RGB, so alpha is dropped.
  const rgb = new Float32Array(SIZE * SIZE * 3);
  for (let i = 0; i < SIZE * SIZE; i += 1) {
    rgb[3 * i] = png.data[4 * i];
    rgb[3 * i + 1] = png.data[4 * i + 1];
    rgb[3 * i + 2] = png.data[4 * i + 2];
  }
  return tf.tensor3d(rgb, [SIZE, SIZE, 3], 'float32');
}

async function main() {
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`backend is ${tf.getBackend()}, want wasm`);
  await faceapi.nets.faceRecognitionNet.loadFromDisk(modelDir);

  const files = fs.readdirSync(chipDir).filter((f) => f.endsWith('.png')).sort();
  if (files.length === 0) throw new Error(`no chips in ${chipDir}`);
  const out = {};
  for (const f of files) {
    const input = readChip(path.join(chipDir, f));
    const d = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input);
    input.dispose();
    if (d.length !== 128) throw new Error(`${f}: descriptor of length ${d.length}`);
    out[f] = Array.from(d);
  }
  fs.writeFileSync(outFile, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`face-reference: ${files.length} descriptors (tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, face-api ${faceapi.version}) -> ${path.relative(root, outFile)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
