// Package detect finds faces in a photo, locates five landmarks on each (the
// two pupils, the nose and the mouth corners), estimates a rough head pose,
// and cuts out the aligned 150x150 face chip that the face descriptor network
// (package facenet) takes. It is the first step of selfie-to-portrait
// matching and of the liveness prompts.
//
// It is pure Go on github.com/esimov/pigo v1.4.6: pigo's "facefinder" face
// cascade (pixel-intensity-comparison trees, Markuš et al. 2013), its "puploc"
// pupil cascade and two of its landmark cascades (lp93, bottom of the nose;
// lp84, mouth corner). The cascade files are copied into cascade/ and
// embedded (see cascade/README.md for provenance and licence).
//
// # What it finds, and what it does not
//
// Pigo's cascade was trained on frontal faces: it finds frontal and
// moderately turned heads (the test crops reach about 35 degrees of yaw) and
// loses profiles.
// In-plane tilt is handled by scanning at several angles (upright, +-15 and
// +-30 degrees by default). It does not find faces much smaller than 24
// pixels; Detect ignores faces below Options.MinFaceSize (80 pixels) and says
// face-too-small when those are all there is. It is weaker than a neural
// detector on hard light, heavy occlusion (masks, hands), and very tight
// crops; the latter is handled by padding the image before the scan.
// Decisions that matter are made on the face chip by the descriptor, not
// here: a false face found here fails the match.
//
// The landmarks come from cascades that always return a point.
// Face.LandmarkConfidence scores how well the five points fit a face's geometry;
// callers that need landmarks (Align, pose) should want it high. The pupil
// and landmark cascades are evaluated by this package (pupCascade) from a
// fixed set of jittered starts, so Detect is deterministic: the same image
// gives the same faces, to the bit. So is Align for a given Face.
//
// Pose (yaw, pitch, roll) is a geometric estimate from the five points: roll
// is good to a degree or two, yaw and pitch to 10 degrees or worse; enough
// to tell "turned left" from "straight", no more (see Pose).
//
// Eye openness is not available: pigo's cascades locate pupils, eye corners
// and eyebrows but carry no eyelid points and no open/closed classifier, and
// the pupil cascade returns a point whether or not the eye is open. Liveness
// needs another signal for blinks.
//
// # Cost
//
// Measured with BenchmarkDetect (CPU time per call, one goroutine, on this
// project's shared 2-core build machine, so give or take a quarter): a
// 640x480 frame with one face 45-60 ms (23-30 ms upright only), each 150x150
// test crop 11-29 ms, the 710x473 group photo with six faces 185-245 ms
// (about 15 ms of landmarks a face; without Options.Multiple it stops at the
// second face); Align 2-3 ms.
//
// What dominates is the upright scan's small windows (down to half of
// MinFaceSize) and the pupil and landmark cascades, run from 63 jittered
// starts each (see pupCascade). A larger MinFaceSize, NoRotation, or a
// sparser grid trade recall for speed: in the upright scan of the 20 test
// crops, ScaleFactor 1.2 lost one face and halved the scores, ShiftFactor
// 0.15 with ScaleFactor 1.2 lost nine; the defaults (1.1, 0.1) lose none.
//
// # Pigo's quirks this package works around
//
//   - PuplocCascade.RunDetector draws its jittered starts from math/rand's
//     global source, which cannot be seeded, and sorts its whole pooled
//     63-element buffers, so with fewer than 63 starts stale results of
//     earlier calls mix into the median. The pupil and landmark cascades
//     (pigo's files) are evaluated here instead, from fixed starts; a test
//     checks the results agree with pigo's own within its jitter.
//   - Pigo's rotated face scan clamps columns with the row count: wrong for
//     landscape images and an out-of-range read for portrait ones. Rotation
//     is done here by resampling, and pigo only ever scans upright.
//   - The landmark cascades have no rotated mode; they run on a patch the
//     face is turned upright in.
//   - Windows must fit inside the image, so tight crops are padded first.
//
// # Errors
//
// Failures carry a stable Reason (face-none, face-multiple, face-too-small,
// image-too-large, image-malformed) with user-facing text (Reason.Message);
// Error.Detail is for logs and names sizes and limits, never image content.
// DecodeLimited enforces byte and pixel limits before decoding and accepts
// JPEG and PNG only. Bad input is an error, never a panic (FuzzDecodeDetect).
//
// The package does no I/O beyond the reader DecodeLimited is given, keeps no
// state but the read-only cascades, and is safe for concurrent use.
package detect
