// Package config reads vigil.yaml: the file format, its defaults, secrets
// from the environment or files, and validation that reports every problem
// at once with its path. It never starts anything and never logs secrets.
package config
