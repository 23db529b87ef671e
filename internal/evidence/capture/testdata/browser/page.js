// Test driver for capture.js: the flow the verifier's capture page will
// follow. browser_test.go calls window.runCapture and reads its result.
import { available, burstHash, enrol, signBurst, toB64u } from "/capture.js";

async function call(path, body) {
  const r = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body || {}),
  });
  const text = await r.text();
  let j;
  try { j = JSON.parse(text); } catch (e) { throw new Error(path + ": " + r.status + " " + text); }
  return { status: r.status, body: j };
}

async function must(path, body) {
  const r = await call(path, body);
  if (r.status !== 200) throw new Error(path + ": " + r.status + " " + JSON.stringify(r.body));
  return r.body;
}

// grabFrames takes n JPEG frames from the (fake) camera, 100 ms apart.
async function grabFrames(n) {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  try {
    const video = document.createElement("video");
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    await video.play();
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth || 320;
    canvas.height = video.videoHeight || 240;
    const ctx = canvas.getContext("2d");
    const frames = [];
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      frames.push(await new Promise((r) => canvas.toBlob(r, "image/jpeg", 0.85)));
    }
    return frames;
  } finally {
    stream.getTracks().forEach((t) => t.stop());
  }
}

// runCapture enrols, captures, signs and uploads one burst. With tamper,
// one frame is changed after signing, as an injecting proxy would. With
// template, the server issues options without a challenge and signBurst
// computes it; otherwise the page sends the burst hash first.
window.runCapture = async function (tamper, template) {
  const out = { available: await available() };
  out.enrolled = await must("/enrol/finish", await enrol(await must("/enrol/begin")));
  const { nonce } = await must("/nonce");
  let frames = await grabFrames(4);
  const hash = await burstHash(frames);
  const { options } = await must("/sign/begin", template ? {} : { burstHash: toB64u(hash) });
  const signed = await signBurst(frames, nonce, options);
  out.hashMatches = signed.burstHash === toB64u(hash);
  let bytes = await Promise.all(frames.map(async (f) => new Uint8Array(await f.arrayBuffer())));
  if (tamper) {
    const f = bytes[1].slice();
    f[f.length >> 1] ^= 0x01;
    bytes[1] = f;
  }
  const r = await call("/burst", { frames: bytes.map(toB64u), assertion: JSON.parse(signed.assertion) });
  out.status = r.status;
  out.result = r.body;
  document.getElementById("status").textContent = "done";
  return out;
};
document.getElementById("status").textContent = "ready";
