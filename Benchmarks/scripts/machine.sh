#!/usr/bin/env bash
# Prints the CPU and core count the benchmark scripts measured on, as one line ("machine: …"): this project's VM has
# run on hosts of different speeds from one session to the next, so a figure is only comparable with its machine.
set -euo pipefail
cores="$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?')"
if [ -r /proc/cpuinfo ]; then
    awk -F': *' -v cores="$cores" '
        $1 ~ /^model name/ && name == "" { name = $2 }
        $1 ~ /^cpu family/ && family == "" { family = $2 }
        $1 ~ /^model[ \t]*$/ && model == "" { model = $2 }
        END {
            if (name == "") name = "unknown CPU"
            if (family != "") name = name " (family " family ", model " model ")"
            print "machine: " name ", " cores " cores"
        }' /proc/cpuinfo
else
    echo "machine: $(sysctl -n machdep.cpu.brand_string 2>/dev/null || uname -m), $cores cores"
fi
