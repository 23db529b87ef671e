// Package faceapimodels embeds the face recognition weights of face-api.js
// (npm @vladmandic/face-api 1.7.15; see README.md for provenance, hashes and
// licence) so that binaries run the exact weights the parity test checked.
// It holds data only: the network lives in internal/evidence/face/facenet.
package faceapimodels

import "embed"

// ManifestName is the weights manifest inside FS; the manifest names the .bin
// files it needs, relative to itself.
const ManifestName = "face_recognition_model-weights_manifest.json"

// FS holds the manifest and its weight file. An embed.FS is read-only, so no
// caller can alter the weights another caller loads.
//
//go:embed face_recognition_model-weights_manifest.json face_recognition_model.bin
var FS embed.FS
