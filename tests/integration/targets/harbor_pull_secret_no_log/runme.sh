#!/usr/bin/env bash
# Distribute, rotate and read pull secrets in a playbook run at -vvvv with --diff, with a wrong password too, then
# check that no password (nor its base64 form in the secret) appears anywhere in the output, while the results
# themselves are shown.
set -eu -o pipefail

if ! grep -qE '"(acceptance|emulator)_kubeconfig"' ../../integration_config.yml; then
    echo "SKIPPED: no cluster given (set K8S_AUTH_KUBECONFIG)"
    exit 0
fi
# setup_harbor_emulator, whose tasks create and delete the namespace through the cluster's API
export ANSIBLE_ROLES_PATH=..

work_dir="${OUTPUT_DIR:?OUTPUT_DIR is set by ansible-test}"
log="${work_dir}/pull-secret-vvvv.log"
secrets_file="${work_dir}/pull-secret-secrets.txt"
rm -f "${log}" "${secrets_file}"

ansible-playbook -i localhost, -e "@../../integration_config.yml" -e "secrets_file=${secrets_file}" \
    -vvvv --diff secrets.yml > "${log}" 2>&1 || { tail -n 80 "${log}"; exit 1; }

test "$(grep -c . "${secrets_file}")" -eq 5
while IFS= read -r secret; do
    if grep -qF -- "${secret}" "${log}"; then
        echo "a password, or its base64 form, appears in the -vvvv output" >&2
        exit 1
    fi
done < "${secrets_file}"

# The module's results and diffs were shown, with the password masked.
grep -q '"secret": "created"' "${log}"
grep -q '"secret": "updated"' "${log}"
grep -q '"password": "\*\*\*\*\*\*\*\* (changed)"' "${log}"
grep -q "verify_credentials: Harbor at" "${log}"
echo "no password in $(wc -l < "${log}") lines of -vvvv output"
