# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:

    # How the pull-secret modules reach a Kubernetes cluster; the names are those of kubernetes.core.
    DOCUMENTATION = r"""
options:
  kubeconfig:
    description:
      - Path of a kubeconfig file, or the kubeconfig itself as a dictionary.
      - Without it, and without O(host), the file named by E(KUBECONFIG) or C(~/.kube/config) is read; inside a pod
        without either, the pod's service account is used.
      - If not set, the value of the E(K8S_AUTH_KUBECONFIG) environment variable is used.
    type: raw
  context:
    description:
      - Name of the kubeconfig context to use instead of its current context. To reach several clusters, use one
        task per context.
      - If not set, the value of the E(K8S_AUTH_CONTEXT) environment variable is used.
    type: str
  host:
    description:
      - URL of the Kubernetes API server, such as V(https://k8s.example.com:6443). It overrides the kubeconfig's.
      - If not set, the value of the E(K8S_AUTH_HOST) environment variable is used.
    type: str
  api_key:
    description:
      - Bearer token for the API server, such as a service account token. It overrides the kubeconfig's credentials.
      - If not set, the value of the E(K8S_AUTH_API_KEY) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. Without it, the kubeconfig decides (C(insecure-skip-tls-verify)).
      - If not set, the value of the E(K8S_AUTH_VERIFY_SSL) environment variable is used.
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - Path of the PEM file of the certificate authority that signed the API server's certificate.
      - If not set, the value of the E(K8S_AUTH_SSL_CA_CERT) environment variable is used.
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description:
      - Path of a client certificate to authenticate with.
      - If not set, the value of the E(K8S_AUTH_CERT_FILE) environment variable is used.
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path of the private key of O(client_cert).
      - If not set, the value of the E(K8S_AUTH_KEY_FILE) environment variable is used.
    type: path
    aliases: [key_file]
  proxy:
    description:
      - URL of an HTTP proxy to reach the API server through. The E(HTTPS_PROXY) and E(HTTP_PROXY) variables are not
        used, as with kubernetes.core.
      - If not set, the value of the E(K8S_AUTH_PROXY) environment variable is used.
    type: str
requirements:
  - kubernetes (the Python library, to read kubeconfig files)
notes:
  - The options that connect to the cluster have the names and environment variables of the C(kubernetes.core)
    modules, so the same C(module_defaults) values or variables work for both.
"""
