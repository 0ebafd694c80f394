#!/usr/bin/env bash
# Create a robot, set its secret and regenerate it in a playbook run at -vvvv with --diff, then check that
# none of the secrets appears anywhere in the output, while results without a secret are still shown.
set -eu -o pipefail

work_dir="${OUTPUT_DIR:?OUTPUT_DIR is set by ansible-test}"
log="${work_dir}/vvvv.log"
secrets_file="${work_dir}/robot-secrets.txt"
records="${work_dir}/secret-records.json"
rm -f "${log}" "${secrets_file}" "${records}"
# harbor_robot's records of proven secrets (docs/robots.md) go here, not to the user's ~/.cache.
export HARBOR_SECRET_RECORDS="${records}"

ansible-playbook -i localhost, -e "@../../integration_config.yml" -e "secrets_file=${secrets_file}" \
    -vvvv --diff secrets.yml > "${log}" 2>&1 || { tail -n 80 "${log}"; exit 1; }

test "$(grep -c . "${secrets_file}")" -eq 3
while IFS= read -r secret; do
    if grep -qF -- "${secret}" "${log}"; then
        echo "a robot secret appears in the -vvvv output" >&2
        exit 1
    fi
    if grep -qF -- "${secret}" "${records}"; then
        echo "a robot secret appears in the records of proven secrets" >&2
        exit 1
    fi
done < "${secrets_file}"
# The chosen secret was proven by a login after it was set, so the records are not empty.
grep -qF '"hash"' "${records}"

# The tasks that returned a secret were censored; the re-run without one was shown in full.
test "$(grep -c "the output has been hidden" "${log}")" -ge 2
grep -qF "\"name\": \"robot\$it-vvvv+ci\"" "${log}"
echo "no secret in $(wc -l < "${log}") lines of -vvvv output"
