// Package deploy holds no code: its tests check the deployment files beside
// them (systemd units under systemd/, the container build under
// container/). The files themselves are what operators copy.
package deploy
