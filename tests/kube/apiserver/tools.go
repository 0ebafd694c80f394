//go:build tools

// Never compiled (the build tag is not set): it only makes `go mod tidy` keep every module the two commands need,
// so go.sum pins them all. The Makefile builds the commands by import path.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
