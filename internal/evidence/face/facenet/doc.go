// Package facenet computes 128-d face descriptors in pure Go: a port of the
// face recognition network of face-api.js (FaceRecognitionNet), which is
// dlib's dlib_face_recognition_resnet_model_v1, a ResNet-34-style network
// with 29 convolutions, converted to TensorFlow.js.
//
// Input is a 150x150 RGB face chip: a tight, upright crop of one face, as
// dlib's alignment or face-api.js's landmark-aligned box produces; making
// that chip is the job of face detection and alignment, not of this package. Output is a descriptor in
// which the Euclidean distance (Distance) between two faces is small for the
// same person: dlib and face-api.js use 0.6 as a rule of thumb; Vigil's
// threshold must come from measured data.
//
// # Provenance
//
// The weights are the uint8-quantised TensorFlow.js files of npm
// @vladmandic/face-api 1.7.15 (MIT; the weights derive from dlib's
// public-domain model), fetched and hash-checked by
// scripts/fetch-face-models.sh and committed under models/face-api, which
// LoadEmbedded compiles into the binary. Load and LoadFS read the same
// format from elsewhere, checking every tensor's name and shape against the
// architecture and refusing truncated, padded, non-finite or unknown weights.
//
// # Verified by parity
//
// The network is re-implemented from face-api.js's source (convolutions with
// a folded bias and scale layer, residual blocks, the zero-padded shortcut of
// its down blocks, global average, fully connected to 128). TestParity
// checks it against descriptors that the original library computed under
// Node (tfjs 4.22.0, wasm backend; scripts/face-reference) for fixed chips in
// testdata/chips: every Go descriptor must lie within 0.01 (L2) of its
// reference.
//
// # Limits
//
// The model was trained by dlib's author on about three million images of
// mostly adult faces; dlib reports 99.38% accuracy on LFW. It has not been
// audited here for differences across age, sex or skin tone, and LFW accuracy
// says nothing about a deployment's false match rate: measure it on the
// population served. A descriptor says who a face resembles, not that a live
// person is present.
//
// This package never decodes images, detects faces or logs anything; errors
// name tensors and sizes, never image content.
package facenet
