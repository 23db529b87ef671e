// Package liveness checks that a selfie burst comes from a live person
// following the server's prompts now, not from a photo, a mask held still,
// or a recording made earlier.
//
// The server issues a Challenge: a random nonce, a random order of prompts
// (turn left, turn right, look up, move closer) and a deadline. The page
// shows the prompts one after another while capturing frames, labelling
// each frame with the step it was taken in (0 before the first prompt) and
// its capture time. Check then requires:
//   - the burst to answer this challenge (nonce, constant-time) before its
//     deadline; the caller keeps the challenge server-side and deletes it
//     after one Check, so a burst cannot be replayed;
//   - plausible timing: enough frames, capture times increasing by at least
//     MinFrameGap (no faster than a camera), every step shown for at least
//     MinStep, the whole burst within the challenge's lifetime;
//   - one face in every frame, and the same face throughout (every frame's
//     descriptor within the match threshold of the first frame's): a face
//     swapped in midway fails;
//   - each prompt followed: relative to the neutral frames (step 0), some
//     frame of the prompt's step shows the head turned (yaw), raised
//     (pitch) or closer (face size) by at least the configured amount;
//   - no run of byte-identical frames (a still image looped);
//   - when a reference (the ID portrait) is given, the face matches it.
//
// What it stops: a printed or on-screen photo (it cannot turn its head or
// raise it on cue), a replayed recording of an earlier session (wrong
// nonce, wrong prompt order), a burst stitched from another person.
// What it does not stop: a live deepfake or a 3D-rendered head driven in
// real time to follow the prompts, a mask worn by a live person, or frames
// injected into the browser by a virtual camera (the capture package's
// WebAuthn binding addresses who sent the burst, not what the camera saw).
// The pose estimates are rough (detect.Pose), so the thresholds are
// generous. No ISO/IEC 30107-3 presentation-attack-detection claim is made:
// this has not been tested against a PAD evaluation set.
package liveness
