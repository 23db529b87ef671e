// capture.js: the browser half of package capture (Vigil). An ES module with
// no dependencies, loaded with <script type="module" src=...> (no inline
// script: the verifier's CSP is script-src 'self').
//
// The hash construction must match burst.go exactly:
//   burstHash = SHA-256( for each frame: u64be(len(frame)) || frame )
//   challenge = SHA-256( "vigil-capture-v1" || nonce || burstHash )

const TAG = new TextEncoder().encode("vigil-capture-v1");

// b64u decodes base64url (with or without padding) to bytes.
export function fromB64u(s) {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const bin = atob(b64 + "===".slice((b64.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// toB64u encodes bytes (ArrayBuffer or view) as unpadded base64url.
export function toB64u(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// bytesOf turns a Blob, ArrayBuffer, typed array or base64url string into
// a Uint8Array.
async function bytesOf(x) {
  if (typeof x === "string") return fromB64u(x);
  if (x instanceof Blob) return new Uint8Array(await x.arrayBuffer());
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  throw new TypeError("capture: unsupported frame or nonce type");
}

function concat(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

// burstHash returns the SHA-256 over the frames in order, each prefixed by
// its length as 8 bytes big-endian.
export async function burstHash(frames) {
  const parts = [];
  for (const f of frames) {
    const b = await bytesOf(f);
    const len = new Uint8Array(8);
    new DataView(len.buffer).setBigUint64(0, BigInt(b.length));
    parts.push(len, b);
  }
  return sha256(concat(parts));
}

// burstChallenge returns SHA-256("vigil-capture-v1" || nonce || burstHash).
export async function burstChallenge(nonce, hash) {
  return sha256(concat([TAG, await bytesOf(nonce), await bytesOf(hash)]));
}

// credentialJSON serialises a PublicKeyCredential the way go-webauthn
// parses it: binary fields as base64url.
function credentialJSON(cred) {
  const r = cred.response;
  const out = {
    id: cred.id,
    rawId: toB64u(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
    response: { clientDataJSON: toB64u(r.clientDataJSON) },
  };
  if (r.attestationObject) {
    out.response.attestationObject = toB64u(r.attestationObject);
    if (r.getTransports) out.response.transports = r.getTransports();
  } else {
    out.response.authenticatorData = toB64u(r.authenticatorData);
    out.response.signature = toB64u(r.signature);
    if (r.userHandle && r.userHandle.byteLength) out.response.userHandle = toB64u(r.userHandle);
  }
  return JSON.stringify(out);
}

function parseOptions(optionsJSON) {
  const o = typeof optionsJSON === "string" ? JSON.parse(optionsJSON) : optionsJSON;
  // BeginEnrol and BeginSign return the bare options; accept {publicKey: ...} too.
  return o.publicKey || o;
}

// available reports whether this browser has a platform authenticator;
// without one the verifier falls back to its lower assurance rung.
export async function available() {
  return !!(window.PublicKeyCredential &&
    PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable &&
    await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable());
}

// enrol runs navigator.credentials.create with BeginEnrol's options and
// returns the response JSON for FinishEnrol.
export async function enrol(optionsJSON) {
  const o = parseOptions(optionsJSON);
  const publicKey = Object.assign({}, o, {
    challenge: fromB64u(o.challenge),
    user: Object.assign({}, o.user, { id: fromB64u(o.user.id) }),
    excludeCredentials: (o.excludeCredentials || []).map((c) => Object.assign({}, c, { id: fromB64u(c.id) })),
  });
  const cred = await navigator.credentials.create({ publicKey });
  return credentialJSON(cred);
}

// signBurst signs the burst with the enrolled credential. frames are Blobs,
// ArrayBuffers or typed arrays, in capture order; nonce is the server nonce
// (base64url string or bytes); requestOptionsJSON is BeginSign's output.
// If the options carry a challenge it must be the one computed here (else
// the server was given another burst hash, and signing would only fail
// later); if they carry none, the computed one is used.
// Returns {assertion: JSON string for VerifyBurst, burstHash: base64url}.
export async function signBurst(frames, nonce, requestOptionsJSON) {
  const o = parseOptions(requestOptionsJSON);
  const hash = await burstHash(frames);
  const challenge = await burstChallenge(nonce, hash);
  if (o.challenge && toB64u(fromB64u(o.challenge)) !== toB64u(challenge)) {
    throw new Error("capture: the options' challenge is not this burst's");
  }
  const publicKey = Object.assign({}, o, {
    challenge,
    allowCredentials: (o.allowCredentials || []).map((c) => Object.assign({}, c, { id: fromB64u(c.id) })),
  });
  const cred = await navigator.credentials.get({ publicKey });
  return { assertion: credentialJSON(cred), burstHash: toB64u(hash) };
}
