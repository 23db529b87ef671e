// Package face compares faces: a selfie against an ID portrait (the
// document photo's face, or the chip's DG2 image). It chains the pure-Go
// parts, each with its own package: detect (pigo detection, five landmarks,
// dlib-style 150x150 alignment) and facenet (face-api.js's port of dlib's
// ResNet descriptor), then measures the Euclidean distance between the two
// 128-d descriptors and decides against a threshold chosen from measured
// data (docs/face-match.md).
//
// A decision has three outcomes, so that an automated verifier only acts
// on clear cases: match (distance at or below Threshold-Margin), no-match
// (above Threshold+Margin), and borderline in between, which goes to a
// person. It says nothing about liveness: a photo of a photo matches.
package face
