# The OCI clients that make registry-tests drives, built with `go install` from the Go module proxy.
# The pins live here and only here; bumping one makes `make oci-clients` build that client again.
#
# Binaries go to a cache outside the git tree, shared by every checkout of this machine's user:
#   $(TOOLS_CACHE)/oci-clients/<name>@<version>/<name>   one directory per pinned version
#   $(TOOLS_CACHE)/bin/<name>                            a symlink to the pinned one, what the tests run
# A version directory that holds its binary is reused as it is, so a warm `make oci-clients` costs nothing.

TOOLS_CACHE ?= $(HOME)/.cache/cloudtemple-harbor
TOOLS_BIN := $(TOOLS_CACHE)/bin
GO ?= go
PYTHON ?= python3

# <name>=<Go main package>@<version>
OCI_CLIENTS := \
  crane=github.com/google/go-containerregistry/cmd/crane@v0.22.1 \
  oras=oras.land/oras/cmd/oras@v1.3.6 \
  helm=helm.sh/helm/v4/cmd/helm@v4.3.2 \
  cosign=github.com/sigstore/cosign/v3/cmd/cosign@v3.1.3

oci_client_name = $(firstword $(subst =, ,$(1)))
oci_client_package = $(word 2,$(subst =, ,$(1)))
oci_client_version = $(lastword $(subst @, ,$(1)))
oci_client_binary = $(TOOLS_CACHE)/oci-clients/$(call oci_client_name,$(1))@$(call oci_client_version,$(1))/$(call oci_client_name,$(1))
OCI_CLIENT_BINARIES := $(foreach client,$(OCI_CLIENTS),$(call oci_client_binary,$(client)))

define oci_client_rule
$(call oci_client_binary,$(1)):
	@$(PYTHON) tests/registry/build_oci_client.py --go $(GO) $$@ $(call oci_client_package,$(1))
endef
$(foreach client,$(OCI_CLIENTS),$(eval $(call oci_client_rule,$(client))))

# The symlinks are refreshed on every run: cheap, and they then always point at the pinned versions.
oci-clients: $(OCI_CLIENT_BINARIES)
	@mkdir -p $(TOOLS_BIN)
	@$(foreach client,$(OCI_CLIENTS),ln -sfn $(call oci_client_binary,$(client)) $(TOOLS_BIN)/$(call oci_client_name,$(client));)
	@echo 'oci-clients: $(foreach client,$(OCI_CLIENTS),$(call oci_client_name,$(client))@$(call oci_client_version,$(client))) in $(TOOLS_BIN)'
